// A form with data-confirm asks before it is sent (no inline handlers: the CSP forbids them).
document.addEventListener("submit", (event) => {
  const question = event.target.dataset && event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
