/* Rows typed inline (app/templates/risks/editor.html): each block with an id holds a
   [data-row-list] of rows marked data-row-index and a <template data-row-template>
   whose names carry __index__. [data-add-row="<block id>"] appends a copy numbered
   after the highest row; [data-remove-row] takes a row that was never saved off the
   page (a saved row is deleted by its 删除 box, on the server). No inline handlers:
   the Content-Security-Policy allows none. */
(function () {
  "use strict";
  function nextIndex(block) {
    var max = -1;
    block.querySelectorAll("[data-row-list] [data-row-index]").forEach(function (row) {
      max = Math.max(max, parseInt(row.getAttribute("data-row-index"), 10));
    });
    return max + 1;
  }
  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) {
      event.preventDefault();
      var block = document.getElementById(add.getAttribute("data-add-row"));
      var list = block.querySelector("[data-row-list]");
      var template = block.querySelector("template[data-row-template]");
      list.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__index__/g, String(nextIndex(block))));
      var first = list.lastElementChild.querySelector("textarea, input[type=text]");
      if (first) { first.focus(); }
      return;
    }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      event.preventDefault();
      remove.closest("[data-row-index]").remove();
    }
  });
})();
