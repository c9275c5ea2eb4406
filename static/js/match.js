// While the worker runs, follow its progress and show the result when it is ready.
(function () {
  const root = document.querySelector("[data-match]");
  if (!root) return;
  const final = ["done", "failed"];
  const order = ["queued", "finding_faces", "matching"];

  function showStep(status) {
    const reached = order.indexOf(status);
    root.querySelectorAll("[data-step]").forEach((step) => {
      const index = order.indexOf(step.dataset.step);
      step.classList.toggle("done", index < reached);
      step.classList.toggle("current", index === reached);
    });
  }

  async function poll(delay) {
    try {
      const response = await fetch(root.dataset.api, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const match = await response.json();
        if (final.includes(match.status)) {
          window.location.reload();
          return;
        }
        showStep(match.status);
      }
    } catch (error) {
      // A dropped connection: try again a little later.
    }
    setTimeout(() => poll(Math.min(delay * 1.3, 5000)), delay);
  }

  if (!final.includes(root.dataset.status)) {
    setTimeout(() => poll(700), 700);
  }

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
