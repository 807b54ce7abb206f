"""Each main page renders in Chromium, in Dutch, with zero axe-core WCAG 2.1 A/AA violations."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def _password(user, password="demo"):
    user.set_password(password)
    user.save()
    return user.username


def test_login_worklist_youth_list_and_page_pass_axe(visit, region1):
    case = region1.open_case()
    region1.involve(case)
    visitor = visit().login(_password(region1.coordinator))
    assert visitor.page.get_by_role("heading", name="Werkvoorraad").is_visible()
    visitor.go("/jongeren/")
    visitor.page.get_by_role(
        "link", name=f"{case.student.last_name}, {case.student.first_name}"
    ).click()
    visitor.page.wait_for_load_state()
    visitor.axe()
    assert visitor.page.get_by_role("heading", name=case.student.full_name).is_visible()
    visitor.go("/toegankelijkheid/")


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(visit, region1):
    visitor = visit().login(_password(region1.coordinator))
    visitor.page.keyboard.press("Tab")
    focused = visitor.page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Naar de inhoud"
    visitor.page.keyboard.press("Enter")
    assert visitor.page.evaluate("document.activeElement.id") == "main"
