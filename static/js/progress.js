// The progress of a bulk send (a newsletter, a bulk invitation): polls the JSON status every
// few seconds while the send runs or mail is queued, and updates the bar, the mail counts and
// the status line (role=status) in place, so nobody loses their place on the page.
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-progress-url");
  var bar = box.querySelector("[data-progress-bar]");
  var text = box.querySelector("[data-progress-text]");
  var state = box.querySelector("[data-progress-state]");
  function update() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        bar.max = data.total || 1;
        bar.value = data.handled;
        bar.textContent = data.percent + " %";
        ["queued", "sent", "failed", "unknown"].forEach(function (key) {
          var cell = box.querySelector('[data-count="' + key + '"]');
          if (cell) { cell.textContent = data[key]; }
        });
        // "12 of 40": only the leading text node, so the state's own element stays in place.
        var counted = text.firstChild && text.firstChild.nodeType === 3 ? text.firstChild : text;
        counted.textContent = counted.textContent.replace(/\d+(\D+)\d+/, data.handled + "$1" + data.total);
        if (state && !data.running) { state.textContent = state.getAttribute("data-done-text"); }
        if (data.running || data.queued > 0) { window.setTimeout(update, 3000); }
      });
  }
  window.setTimeout(update, 2000);
})();
