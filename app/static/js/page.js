/* Behaviour the templates declare with data attributes, so that no page needs
   inline event handlers (the Content-Security-Policy allows none):
   data-confirm="question" on a button or form asks before submitting;
   data-print on a button prints the page. */
(function () {
  document.addEventListener('click', function (event) {
    var target = event.target.closest('[data-print], button[data-confirm], a[data-confirm]');
    if (!target) { return; }
    if (target.hasAttribute('data-print')) { event.preventDefault(); window.print(); return; }
    if (!window.confirm(target.getAttribute('data-confirm'))) { event.preventDefault(); }
  });
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (form.hasAttribute && form.hasAttribute('data-confirm') && !window.confirm(form.getAttribute('data-confirm'))) {
      event.preventDefault();
    }
  });
})();
