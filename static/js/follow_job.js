// A job's admin page follows the worker: while the job runs, the page reloads every few seconds
// (a script, not a meta refresh, so a visitor's assistive technology is not interrupted by a
// refresh it cannot stop: the reload pauses while the page is hidden or a field has focus).
(function () {
  const marker = document.querySelector("[data-follow-job]");
  if (!marker) return;
  const every = Number(marker.dataset.followJob) * 1000 || 5000;
  setInterval(() => {
    const typing = document.activeElement && document.activeElement.matches("input, textarea, select");
    if (document.visibilityState === "visible" && !typing) window.location.reload();
  }, every);
})();
