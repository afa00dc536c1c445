// The scoring form, enhanced (templates/assessor/score.gohtml). Without this script the form
// saves its draft when it is posted ("Continue" or "Save and come back later"). With it:
//
//  - the draft is saved automatically: a moment after each change, the ratings, feedback and
//    visit date are PUT to the API (PUT /v1/applications/{id}/assessment, the same body as the
//    API's RatingsRequest; the API takes this page's session, and a same-origin fetch passes
//    its cross-origin protection). The status line says "Draft saved at 3:04pm" (it is an
//    aria-live region). The journey keeps the draft, so it survives a reload; leaving the page
//    sends what is not saved yet.
//  - a save refused because the session ended says so ("You have been signed out: your draft up
//    to 3:04pm is saved", with a link to sign in again in a new tab) and keeps trying: once the
//    person has signed in again, the work typed here is saved with the next try. Nothing typed
//    is cleared, and the form is not posted while signed out (that would lose it to sign-in).
//  - the recommended level is worked out again as ratings change, with the journey's rule
//    (award.LevelReached) over what the server says each level needs: the form's
//    data-needs-<level> attributes list the standards that must be rated at that level or
//    above, for each level up to the one applied for.
//
// It marks the form data-enhanced="true", and data-state "saving", "saved", "signed-out" or
// "error" (for the browser tests).

const form = document.getElementById('score-form')

if (form && window.fetch && form.dataset.autosave) {
  enhance(form)
}

const LEVELS = ['not_met', 'bronze', 'silver', 'gold']
const TITLES = { not_met: 'Not yet (below Bronze)', bronze: 'Bronze', silver: 'Silver', gold: 'Gold' }
const DELAY = 1200 // ms after the last change
const RETRY = 20000 // ms between tries while signed out or failing

function enhance (form) {
  const status = document.getElementById('draft-status') // the live region, above the form's fields
  const statusEnd = document.getElementById('draft-status-end') // the same words beside the buttons (not live)
  const recommended = document.getElementById('recommended')
  const hint = document.getElementById('recommended-hint')
  let visitSaved = form.dataset.visitDate || '' // the last visit date known good
  // The time of the last save that worked: the page's draft is the journey's as it opened
  // (unless the page shows a refused form, data-saved="false").
  let lastSaved = form.dataset.saved === 'false' ? null : new Date()
  let timer = null
  let inFlight = false
  let dirty = false
  let submitting = false

  form.dataset.enhanced = 'true'
  say('Your draft is saved automatically as you work.')
  if (hint) {
    hint.textContent = hint.textContent.replace('Worked out from your saved ratings', 'Worked out from the ratings above')
  }

  const changed = () => {
    dirty = true
    updateRecommended()
    schedule(DELAY)
  }
  form.addEventListener('change', changed)
  form.addEventListener('input', changed)
  form.addEventListener('submit', (event) => {
    if (form.dataset.state === 'signed-out') {
      // Posting now would go to sign in and lose what is typed here.
      event.preventDefault()
      say(status.firstChild ? status.firstChild.textContent : status.textContent, true, true)
      if (statusEnd) {
        statusEnd.setAttribute('tabindex', '-1')
        statusEnd.focus()
      }
      return
    }
    submitting = true
  })
  // Leaving or hiding the page sends what is not saved yet (keepalive outlives the page).
  window.addEventListener('pagehide', () => {
    if (dirty && !submitting) save(true)
  })
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden' && dirty && !submitting) save(true)
  })

  // A form shown again after a refusal holds typed work the journey does not have yet.
  if (form.dataset.saved === 'false') {
    dirty = true
    schedule(DELAY)
  }

  function schedule (ms) {
    clearTimeout(timer)
    timer = setTimeout(() => save(false), ms)
  }

  function body () {
    const ratings = {}
    for (const input of form.querySelectorAll('input[type=radio][name^="rating-"]:checked')) {
      ratings[input.name.slice('rating-'.length)] = input.value
    }
    const feedback = form.querySelector('#feedback')
    return JSON.stringify({ ratings, feedback: feedback ? feedback.value.trim() : '', visit_date: visitDate() })
  }

  // visitDate is the date typed as YYYY-MM-DD, "" when blank, or — while it is incomplete or
  // not a real date — the last one known good, so a half-typed date never clears a saved one.
  function visitDate () {
    const part = (id) => (form.querySelector('#' + id) || { value: '' }).value.trim()
    const d = part('visit_date'); const m = part('visit_date-month'); const y = part('visit_date-year')
    if (!d && !m && !y) {
      visitSaved = ''
      return ''
    }
    const day = Number(d); const month = Number(m); const year = Number(y)
    if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y) || year < 2000 || year > 2100) return visitSaved
    const t = new Date(Date.UTC(year, month - 1, day))
    if (t.getUTCDate() !== day || t.getUTCMonth() !== month - 1) return visitSaved
    visitSaved = y + '-' + String(month).padStart(2, '0') + '-' + String(day).padStart(2, '0')
    return visitSaved
  }

  async function save (leaving) {
    if (inFlight && !leaving) {
      schedule(DELAY)
      return
    }
    clearTimeout(timer)
    const payload = body()
    dirty = false
    if (leaving) {
      try {
        fetch(form.dataset.autosave, {
          method: 'PUT', keepalive: true, credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: payload
        })
      } catch (e) { /* the page is going: nothing to show */ }
      return
    }
    inFlight = true
    form.dataset.state = 'saving'
    let res
    try {
      res = await fetch(form.dataset.autosave, {
        method: 'PUT', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: payload
      })
    } catch (e) {
      res = null
    }
    inFlight = false
    if (res && res.ok) {
      lastSaved = new Date()
      form.dataset.state = 'saved'
      say('Draft saved at ' + clock(lastSaved))
      if (dirty) schedule(DELAY)
      return
    }
    dirty = true // not saved: try again
    if (res && res.status === 401) {
      form.dataset.state = 'signed-out'
      say((lastSaved
        ? 'You have been signed out: your draft up to ' + clock(lastSaved) + ' is saved.'
        : 'You have been signed out: your draft is not saved yet.') +
        ' Keep this page open and sign in again in another tab: your work here is then saved.', true, true)
      schedule(RETRY)
      return
    }
    let detail = ''
    if (res) {
      try {
        const p = await res.json()
        detail = p.detail || ''
      } catch (e) { /* not a problem document */ }
    }
    form.dataset.state = 'error'
    if (res && (res.status === 403 || res.status === 404 || res.status === 409)) {
      dirty = false // it will never be accepted: say why, stop trying
      say('Your draft could not be saved: ' + (detail || 'this assessment can no longer be changed') + '.', true)
      return
    }
    if (res && res.status === 422) {
      say('Your draft could not be saved: ' + (detail || 'check what you typed') + '. Use Continue to see what is wrong.', true)
      return
    }
    say('Your draft could not be saved just now' + (lastSaved ? ' (it is saved up to ' + clock(lastSaved) + ')' : '') +
      '. We will try again.', true)
    schedule(RETRY)
  }

  // say shows text in the status line and beside the buttons; signIn adds a link to sign in
  // again in another tab.
  function say (text, warning, signIn) {
    for (const el of [status, statusEnd]) {
      if (!el) continue
      el.textContent = text
      el.classList.toggle('govuk-!-font-weight-bold', !!warning)
      if (signIn) {
        const a = document.createElement('a')
        a.className = 'govuk-link'
        a.href = '/signin'
        a.target = '_blank'
        a.rel = 'noopener'
        a.textContent = 'Sign in again (opens in new tab)'
        el.append(' ', a)
      }
    }
  }

  function updateRecommended () {
    if (!recommended) return
    const target = Number(form.dataset.target) || 1
    const rating = (code) => {
      const input = form.querySelector('input[name="rating-' + CSS.escape(code) + '"]:checked')
      return input ? LEVELS.indexOf(input.value) : 0
    }
    // award.LevelReached: the highest level, up to the target, at which every standard it
    // needs is rated at that level or above; below Bronze, "not yet".
    let reached = 0
    for (let level = 1; level <= target && level < LEVELS.length; level++) {
      const needs = (form.dataset['needs' + LEVELS[level][0].toUpperCase() + LEVELS[level].slice(1)] || '').split(' ').filter(Boolean)
      if (needs.some((code) => rating(code) < level)) break
      reached = level
    }
    const text = TITLES[LEVELS[reached]]
    if (recommended.textContent !== text) recommended.textContent = text
  }
}

// clock is a time as the pages write it: "3:04pm".
function clock (t) {
  const h = t.getHours() % 12 || 12
  return h + ':' + String(t.getMinutes()).padStart(2, '0') + (t.getHours() < 12 ? 'am' : 'pm')
}
