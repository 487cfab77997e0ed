// A background job followed on its page (export jobs, the self-evaluation's recomputation from the platform): every
// element with data-progress-url polls that JSON once a second, moves its <progress> bar and status text, and reloads
// the page when the job has ended (the page then shows the result: a download link, the new figures).
(function () {
  "use strict";
  document.querySelectorAll("[data-progress-url]").forEach(function (box) {
    if (box.dataset.finished === "1") return;
    var bar = box.querySelector("progress");
    var status = box.querySelector("[data-job-status]");
    function poll() {
      fetch(box.dataset.progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (job) {
          if (!job) return setTimeout(poll, 3000);
          if (bar) { bar.value = job.percent; bar.textContent = job.percent + "%"; }
          if (status) status.textContent = job.status_label;
          box.dataset.percent = job.percent;
          if (job.finished) window.location.reload();
          else setTimeout(poll, 1000);
        })
        .catch(function () { setTimeout(poll, 3000); });
    }
    setTimeout(poll, 1000);
  });
})();
