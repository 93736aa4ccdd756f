/* Live "points left" counter for dot voting (templates/issues/voting/ballot.html): #points-left
   carries the voter's total in data-total; every .points-input counts against it. The server
   checks the total too, so the ballot works without this script. */
(function () {
  "use strict";
  var out = document.getElementById("points-left");
  if (!out) { return; }
  var total = parseInt(out.getAttribute("data-total"), 10);
  var inputs = document.querySelectorAll(".points-input");
  function update() {
    var used = 0;
    inputs.forEach(function (input) { var n = parseInt(input.value, 10); if (n > 0) { used += n; } });
    out.textContent = String(total - used);
    out.parentElement.classList.toggle("text-danger", used > total);
  }
  inputs.forEach(function (input) { input.addEventListener("input", update); });
  update();
})();
