// A form sent back with errors: focus goes to the first field that needs fixing, so its label and
// error are read out at once (an alert present at page load is often not announced).
(() => {
  const summary = document.querySelector("[data-form-errors]");
  if (!summary) return;
  const field = summary.closest("form").querySelector("[aria-invalid='true']");
  if (field) field.focus();
  else {
    summary.tabIndex = -1;
    summary.focus();
  }
})();
