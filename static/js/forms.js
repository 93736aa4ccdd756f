/* The error summary of a refused form (templates/forum/_error_summary.html, WCAG 3.3.1):
   focus moves to it when the page loads, so a screen reader reads what went wrong at once and
   a keyboard user starts from there; a link in it moves focus to its field and shows the
   field's label too. Without this script the summary and its links still work. */
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) { return; }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) { return; }
    var field = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!field) { return; }
    event.preventDefault();
    var label = document.querySelector("label[for='" + field.id + "']");
    var legend = field.closest("fieldset") && field.closest("fieldset").querySelector("legend");
    (label || legend || field).scrollIntoView({block: "center"});
    field.focus({preventScroll: true});
  });
})();
