// The question editor: an "Add a row" button under each table of rows (choices, answers,
// pairs, items), so authors need not send the form for more blank rows. Without script the
// "More blank rows" button does the same on the server.
(function () {
  "use strict";
  var NUMBERED = /^([a-z]+-)(\d+)(-[a-z]+)$/;

  function renumber(value, index) {
    var match = NUMBERED.exec(value || "");
    return match ? match[1] + index + match[3] : value;
  }

  function addRow(body) {
    var rows = body.querySelectorAll("tr");
    var last = rows[rows.length - 1];
    if (!last) { return; }
    var index = rows.length;
    var copy = last.cloneNode(true);
    copy.querySelectorAll("input, label").forEach(function (el) {
      ["id", "name", "for"].forEach(function (attr) {
        if (el.hasAttribute(attr)) { el.setAttribute(attr, renumber(el.getAttribute(attr), index)); }
      });
      if (el.tagName === "LABEL") {
        el.textContent = el.textContent.replace(/\d+/, String(index + 1));
      } else if (el.type === "radio") {
        el.value = String(index);  // the single-choice radio names its row
        el.checked = false;
      } else if (el.type === "checkbox") {
        el.checked = false;
      } else {
        el.value = "";
      }
    });
    var number = copy.querySelector("td");
    if (number && /^\d+$/.test(number.textContent.trim())) { number.textContent = String(index + 1); }
    body.appendChild(copy);
    var first = copy.querySelector("input[type=text]");
    if (first) { first.focus(); }
  }

  document.querySelectorAll("form.question-editor tbody[data-rows]").forEach(function (body) {
    if (body.closest("fieldset[disabled]")) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary small add-row";
    button.textContent = "Add a row";
    button.addEventListener("click", function () { addRow(body); });
    var wrap = body.closest(".table-wrap") || body.closest("table");
    wrap.parentNode.insertBefore(button, wrap.nextSibling);
  });
}());
