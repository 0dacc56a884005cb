'use strict';
// A household's village picker offers the villages of the commune chosen beside it, and forgets a village
// when the commune changes (the server checks the pair again on save).
{
    // On "load", after the admin's own autocomplete.js has set its pickers up at "ready" (this file may be
    // included before it), so these options are the ones that stay.
    // jQuery 3 runs ready handlers asynchronously, so the admin's may still be pending at "load" (seen in CI
    // under load: the admin's picker then replaced this one). A ready handler added now runs after it.
    window.addEventListener('load', () => django.jQuery(setUp));

    function setUp() {
        const $ = django.jQuery;  // defined by the admin's jquery.init.js, which may come after this file
        const commune = $('#id_commune');
        const village = $('#id_village');
        if (!commune.length || !village.length || !village.hasClass('admin-autocomplete')) {
            return;
        }
        const element = village[0];
        if (village.data('select2')) {
            village.select2('destroy');  // one picker, not the admin's with this one beside it
        }
        village.select2({
            ajax: {
                data: (params) => ({
                    term: params.term,
                    page: params.page,
                    app_label: element.dataset.appLabel,
                    model_name: element.dataset.modelName,
                    field_name: element.dataset.fieldName,
                    commune: commune.val() || ''
                })
            }
        });
        commune.on('change', () => village.val(null).trigger('change'));
        element.dataset.villagesOf = 'commune';  // set up: the browser test waits for this
    }
}
