// Jobs that report their outcome: a status box ([data-job-status]) follows its job by polling
// the small JSON endpoint in data-url until the job has finished, updating its message in place.
(function () {
  "use strict";
  var EVERY_MS = 1000;

  function follow(box) {
    if (box.dataset.following) return;
    box.dataset.following = "true";
    var message = box.querySelector("[data-job-message]");

    function poll() {
      fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (job) {
          if (job.message && message) message.textContent = job.message;
          box.dataset.state = job.state || "";
          box.dataset.finished = job.finished ? "true" : "false";
          if (!job.finished) {
            window.setTimeout(poll, EVERY_MS);
          } else {
            // The list below was drawn before the job ended: offer the updated one.
            var refresh = box.querySelector("[data-job-refresh]");
            if (refresh) refresh.hidden = false;
          }
        })
        .catch(function () {
          window.setTimeout(poll, EVERY_MS * 5);
        });
    }

    if (box.dataset.finished !== "true") poll();
  }

  function start() {
    document.querySelectorAll("[data-job-status]").forEach(follow);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
