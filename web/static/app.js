// Starts GOV.UK Frontend's components (service navigation menu, error summary, ...).
// Module scripts only run in browsers GOV.UK Frontend supports, so mark the body as such here
// (initAll checks the class; the layout needs no inline script, which keeps the CSP strict).
import { initAll } from './govuk-frontend.min.js'
import './upload.js' // the evidence page's uploads with progress bars (nothing on other pages)
import './assess.js' // the scoring form's autosaved draft and live recommended level (nothing on other pages)

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()
