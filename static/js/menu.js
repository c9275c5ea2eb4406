// On narrow screens the header's links fold into a "Menu" button (CSS decides when); without
// this script the links simply stay visible.
(() => {
  const button = document.querySelector("[data-menu-button]");
  const nav = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!nav) return;
  const header = button.closest(".site-header");
  const setOpen = (open) => {
    button.setAttribute("aria-expanded", String(open));
    header.classList.toggle("menu-open", open);
  };
  header.classList.add("has-menu");
  button.hidden = false;
  button.addEventListener("click", () => setOpen(button.getAttribute("aria-expanded") !== "true"));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      button.focus();
    }
  });
  document.addEventListener("click", (event) => {
    if (!header.contains(event.target)) setOpen(false);
  });
})();
