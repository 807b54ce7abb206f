// The import's progress bar polls every second with htmx. core/app.js moves the focus to <main>
// after every htmx swap (right for forms); during polling that would pull the focus away each
// second, so those swaps stop here. The last swap (the result, no longer polling) is let through.
document.addEventListener(
  "htmx:afterSettle",
  function (event) {
    const target = event.target;
    if (target instanceof Element && target.closest("[data-ra-poll]")) {
      event.stopPropagation();
    }
  },
  true
);
