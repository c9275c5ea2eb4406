// A finished result: copying its link. (progress.js follows a match while it runs.)
(function () {
  const root = document.querySelector("[data-match]");
  if (!root) return;
  const copy = root.querySelector("[data-copy]");
  if (copy) {
    copy.addEventListener("click", async () => {
      const field = root.querySelector("[data-share-url]");
      try {
        await navigator.clipboard.writeText(field.value);
      } catch (error) {
        field.select();
        document.execCommand("copy");
      }
      root.querySelector("[data-copied]").hidden = false;
    });
  }
})();
