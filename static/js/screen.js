/* Room screen (templates/issues/capture/screen.html): ask for the list every few seconds and
   replace it only when it has changed, so screen readers (aria-live="polite") hear about new
   issues without hearing the list again and again. The URL and the interval come from the
   data- attributes of #screen-live, the list the page was rendered with from #screen-data. */
(function () {
  "use strict";
  var live = document.getElementById("screen-live");
  if (!live) { return; }
  var list = document.getElementById("screen-list");
  var empty = document.getElementById("screen-empty");
  var count = document.getElementById("screen-count");
  // What the page was rendered with, so the first poll does not re-announce the whole list.
  var last = JSON.stringify(JSON.parse(document.getElementById("screen-data").textContent));
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function render(data) {
    var items = document.createDocumentFragment();
    data.issues.forEach(function (row) {
      var li = el("li", "screen-issue");
      li.setAttribute("data-id", row.id);
      li.appendChild(el("p", "screen-text", row.text));
      var meta = el("p", "screen-meta");
      if (row.focus_area) {
        meta.appendChild(el("span", "screen-area", row.focus_area));
        meta.appendChild(document.createTextNode(" · "));
      }
      meta.appendChild(el("span", "screen-support", row.support_label));
      if (row.organisation) {
        meta.appendChild(document.createTextNode(" · "));
        meta.appendChild(el("span", "", row.organisation));
      }
      li.appendChild(meta);
      items.appendChild(li);
    });
    list.replaceChildren(items);
    count.textContent = data.count_label;
    empty.hidden = data.issues.length > 0;
  }
  function poll() {
    fetch(live.getAttribute("data-url"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var key = JSON.stringify(data);
        if (key !== last) {
          last = key;
          render(data);
        }
      })
      .catch(function () { /* The next poll tries again. */ });
  }
  poll();
  setInterval(poll, parseInt(live.getAttribute("data-poll"), 10) || 5000);
})();
