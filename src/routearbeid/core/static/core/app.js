// Route Arbeid: small progressive enhancements; every page works without JavaScript.
// Forms marked hx-boost post in the background and replace only <main>: errors and messages
// appear in place. Focus then moves to the first message, so screen readers announce it.
(function () {
  const root = document.documentElement;
  const dutch = root.lang === "nl";

  function settled() {
    root.dataset.raSwaps = String(Number(root.dataset.raSwaps || 0) + 1);
  }

  // The navigation's worklist count loads itself after the page (core/_worklist_badge.html): in
  // the background, so it neither moves the focus nor counts as a swap, and when it fails the
  // page simply shows no count.
  function badge(event) {
    const elt = event.detail && event.detail.elt;
    return Boolean(elt && elt.id === "ra-worklist-badge");
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    if (badge(event)) return;
    const main = document.getElementById("main");
    // Only when <main> itself was replaced (a form posted in place). A form loaded into a
    // <details> as it opens leaves the focus where it is: on the summary just activated.
    const target = event.detail && event.detail.target;
    if (main && target && target.id === "main") {
      const message = main.querySelector(".utrecht-alert--error, .utrecht-form-field-error-message, .utrecht-alert");
      const target = message || main;
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: false });
      target.scrollIntoView({ block: "center" });
    }
    settled();
  });

  function failed(event) {
    if (badge(event)) return;
    const main = document.getElementById("main");
    if (main) {
      const alert = document.createElement("div");
      alert.className = "utrecht-alert utrecht-alert--error";
      alert.setAttribute("role", "alert");
      alert.setAttribute("tabindex", "-1");
      const p = document.createElement("p");
      p.className = "utrecht-paragraph";
      p.textContent = dutch
        ? "Dit is niet gelukt. Probeer het opnieuw of laad de pagina opnieuw."
        : "This did not work. Please try again or reload the page.";
      alert.appendChild(p);
      main.prepend(alert);
      alert.focus();
    }
    settled();
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);
})();
