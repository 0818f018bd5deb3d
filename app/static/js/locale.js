/* FAB's widgets in Chinese: the date picker and Select2 read their zh-CN
   files (vendor/locale, from the bootstrap-datepicker 1.10.0 and Select2
   4.0.13 packages FAB bundles); FAB's ab.js names an English placeholder,
   so its selects are set up again, in Chinese, once it has run. */
(function ($) {
  if (!$) { return; }
  if ($.fn.datepicker) { $.fn.datepicker.defaults.language = 'zh-CN'; }
  if ($.fn.select2 && $.fn.select2.defaults) { $.fn.select2.defaults.set('language', 'zh-CN'); }
  $(function () {
    $('.my_select2').each(function () {
      var select = $(this);
      if (!select.data('select2')) { return; }
      select.select2({placeholder: '请选择', allowClear: true, theme: 'bootstrap', language: 'zh-CN'});
    });
  });
})(window.jQuery);
