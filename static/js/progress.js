// While the worker runs: follow the match, say which step it is at, say honestly when it takes
// longer than usual, and show the result when it is ready.
(function () {
  const root = document.querySelector("[data-match]");
  const section = document.querySelector("[data-progress-page]");
  if (!root || !section) return;
  const final = ["done", "failed"];
  const order = ["queued", "finding_faces", "matching"];
  const steps = {
    queued: "Waiting for our matching service.",
    finding_faces: "Finding the faces in the photo.",
    matching: "Comparing each face with the actors.",
  };
  const live = section.querySelector("[data-progress-live]");
  const slow = section.querySelector("[data-slow]");
  const slowAfter = (Number(section.dataset.slowAfter) || 30) * 1000;
  let status = root.dataset.status;
  let changedAt = Date.now();

  function showStep(current) {
    const reached = order.indexOf(current);
    root.querySelectorAll("[data-step]").forEach((step) => {
      const index = order.indexOf(step.dataset.step);
      step.classList.toggle("done", index < reached);
      step.classList.toggle("current", index === reached);
      if (index === reached) step.setAttribute("aria-current", "step");
      else step.removeAttribute("aria-current");
    });
    if (steps[current]) live.textContent = `${steps[current]} This page updates by itself.`;
  }

  function checkSlow() {
    if (Date.now() - changedAt >= slowAfter) slow.hidden = false;
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
        if (match.status !== status) {
          status = match.status;
          changedAt = Date.now();
          slow.hidden = true;
          showStep(status);
        }
      }
    } catch (error) {
      // A dropped connection: try again a little later.
    }
    checkSlow();
    setTimeout(() => poll(Math.min(delay * 1.3, 5000)), delay);
  }

  if (!final.includes(status)) {
    showStep(status);
    // Most photos are ready within half a second of the upload: look early, then less often.
    setTimeout(() => poll(250), 250);
    setTimeout(checkSlow, slowAfter + 50);
  }
})();
