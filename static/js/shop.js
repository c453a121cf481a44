// Small enhancements only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Error summary: focus it so it is read first; its links move focus to the field itself
  // (a plain link to an id only scrolls), with the field's label in view.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", (event) => {
      const link = event.target.closest("a[href^='#']");
      const field = link && document.getElementById(link.hash.slice(1));
      if (!field) return;
      event.preventDefault();
      const label = document.querySelector(`label[for="${field.id}"]`) || field;
      label.scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }
  // Catalog sort: apply the choice at once (the "Sort" button does it without JavaScript).
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form && select.form.requestSubmit());
  });
  // Guard against double submission: the server is idempotent, this only spares a round trip.
  document.querySelectorAll("form[data-submit-once]").forEach((form) => {
    form.addEventListener("submit", () => {
      form.querySelectorAll("button[type=submit]").forEach((button) => {
        button.setAttribute("aria-disabled", "true");
        button.classList.add("is-busy");
      });
    });
  });
});
