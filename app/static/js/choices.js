/* Related-field choices searched on demand (app/security/choices.py): each
 * select.searched-choice asks its data-url for twenty rows at a time as the
 * user types, so no page carries every person, section or risk in scope. */
(function ($) {
  "use strict";
  var LANGUAGE = {
    inputTooShort: function () { return "请输入名称中的几个字"; },
    noResults: function () { return "没有找到"; },
    searching: function () { return "正在搜索…"; },
    loadingMore: function () { return "正在加载更多…"; },
    errorLoading: function () { return "无法加载，请稍后再试"; }
  };

  function init(select) {
    var $select = $(select);
    if ($select.hasClass("select2-hidden-accessible")) { return; }
    $select.select2({
      theme: "bootstrap", width: "100%", allowClear: !$select.prop("multiple"),
      placeholder: $select.data("placeholder") || "", minimumInputLength: 1, language: LANGUAGE,
      ajax: {
        url: $select.data("url"), dataType: "json", delay: 250,
        data: function (params) { return {q: params.term, page: params.page || 1}; }
      }
    });
    // Select2 4.0.13 with jQuery 3.6 opens without focusing its search box: focus it, so typing searches.
    $select.on("select2:open", function () {
      var field = document.querySelector(".select2-container--open .select2-search__field");
      if (field) { field.focus(); }
    });
  }

  // A list filter rebuilt from the address has lost its option: fetch it back by id.
  function restore(select) {
    var value = new URLSearchParams(window.location.search).get(select.getAttribute("name"));
    if (!value || $(select).find("option").filter(function () { return this.value === value; }).length) { return; }
    $.getJSON($(select).data("url"), {id: value}, function (data) {
      if (data.results.length) {
        $(select).append(new Option(data.results[0].text, data.results[0].id, true, true)).trigger("change");
      }
    });
  }

  function scan(root) {
    $(root).find("select.searched-choice").addBack("select.searched-choice").each(function () {
      restore(this);
      init(this);
    });
  }

  $(function () {
    scan(document);
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        change.addedNodes.forEach(function (node) { if (node.nodeType === 1) { scan(node); } });
      });
    }).observe(document.body, {childList: true, subtree: true});
  });
})(jQuery);
