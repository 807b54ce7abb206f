// Route Arbeid: small progressive enhancements; the pages work without JavaScript.
document.addEventListener("htmx:responseError", (event) => {
  const target = event.detail.target;
  if (target) {
    target.insertAdjacentHTML(
      "afterbegin",
      '<div class="utrecht-alert utrecht-alert--error" role="alert"><p class="utrecht-paragraph">' +
        (document.documentElement.lang === "nl"
          ? "Er ging iets mis. Probeer het opnieuw."
          : "Something went wrong. Please try again.") +
        "</p></div>",
    );
  }
});
