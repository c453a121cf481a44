// Small enhancements only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Show the billing address fieldset only when it differs from shipping.
  const same = document.querySelector("[data-billing-toggle]");
  const billing = document.querySelector("[data-billing-fields]");
  if (same && billing) {
    const sync = () => { billing.hidden = same.checked; };
    same.addEventListener("change", sync);
    sync();
  }
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
