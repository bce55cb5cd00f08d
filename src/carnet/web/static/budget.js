// Carnet — budget tables: sort by a column, filter by text and kind of care.
// No dependency, no inline script (the page's CSP allows scripts from this site only).
// Without JavaScript the tables are still complete and readable.
"use strict";

(function () {
  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) { return ""; }
    var raw = cell.getAttribute("data-sort");
    return raw !== null ? raw : cell.textContent.trim();
  }

  function compare(a, b) {
    var x = Number(a), y = Number(b);
    if (a !== "" && b !== "" && !isNaN(x) && !isNaN(y)) { return x - y; }
    return String(a).localeCompare(String(b), document.documentElement.lang || undefined, { numeric: true });
  }

  function sortBy(table, header) {
    var index = Array.prototype.indexOf.call(header.parentNode.children, header);
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(header.parentNode.children, function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r1, r2) {
      var order = compare(cellValue(r1, index), cellValue(r2, index));
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  function setUpSorting(table) {
    var head = table.tHead;
    if (!head || !table.tBodies[0]) { return; }
    Array.prototype.forEach.call(head.querySelectorAll("th"), function (th) {
      var button = th.querySelector("button.sort");
      if (button) { button.addEventListener("click", function () { sortBy(table, th); }); }
    });
  }

  function setUpFilter(table) {
    var text = document.querySelector('[data-filter="' + table.id + '"]');
    var category = document.querySelector('[data-filter-category="' + table.id + '"]');
    var count = document.querySelector('[data-count-for="' + table.id + '"]');
    function apply() {
      var words = text ? text.value.trim().toLowerCase().split(/\s+/).filter(Boolean) : [];
      var wanted = category ? category.value : "";
      var rows = table.tBodies[0].rows, shown = 0;
      for (var i = 0; i < rows.length; i++) {
        var content = rows[i].textContent.toLowerCase();
        var ok = (!wanted || rows[i].getAttribute("data-category") === wanted) &&
          words.every(function (w) { return content.indexOf(w) !== -1; });
        rows[i].hidden = !ok;
        if (ok) { shown++; }
      }
      if (count && count.getAttribute("data-template")) {
        count.textContent = count.getAttribute("data-template")
          .replace("{shown}", String(shown)).replace("{total}", String(rows.length));
      }
    }
    if (text) { text.addEventListener("input", apply); }
    if (category) { category.addEventListener("change", apply); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), setUpSorting);
    Array.prototype.forEach.call(document.querySelectorAll("table[id]"), setUpFilter);
  });
})();
