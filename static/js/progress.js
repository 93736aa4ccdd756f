// The progress of a newsletter being sent (communication newsletter page): polls the JSON
// status every few seconds and updates the bar, the counts and the status line (role=status).
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-progress-url");
  var bar = box.querySelector("[data-progress-bar]");
  var text = box.querySelector("[data-progress-text]");
  function update() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        bar.value = data.percent;
        bar.textContent = data.percent + " %";
        ["queued", "sent", "failed", "unknown"].forEach(function (key) {
          var cell = box.querySelector('[data-count="' + key + '"]');
          if (cell) { cell.textContent = data[key]; }
        });
        text.textContent = text.textContent.replace(/\d+(\D+)\d+/, data.handled + "$1" + data.total);
        if (data.status === "sending" || data.queued > 0) { window.setTimeout(update, 3000); }
      });
  }
  window.setTimeout(update, 2000);
})();
