// Tables marked data-sortable: a button in each header sorts the rows by that column (numbers by their
// data-value), ascending then descending; aria-sort says which. Without the script the server's order stays.
(function () {
  "use strict";
  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    var headers = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headers, function (th, column) {
      if (th.hasAttribute("data-nosort")) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[column]), y = key(b.cells[column]);
          if (x === y) { return 0; }
          if (x === null) { return 1; }
          if (y === null) { return -1; }
          return (x < y ? -1 : 1) * (ascending ? 1 : -1);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
  function key(cell) {
    if (!cell) { return null; }
    if (cell.hasAttribute("data-value")) {
      var value = cell.getAttribute("data-value");
      return value === "" ? null : parseFloat(value);
    }
    return cell.textContent.trim().toLocaleLowerCase("vi");
  }
})();
