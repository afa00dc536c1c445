// The evidence page's upload form, enhanced (templates/applicant/evidence.gohtml). Without this
// script the form POSTs one file straight to storage; with it, the person chooses several files
// and their standards, and each file goes straight to storage with a progress bar:
//
//  1. its SHA-256 is computed here (crypto.subtle);
//  2. it is declared: POST /v1/applications/{id}/evidence (the API takes this page's session;
//     a same-origin fetch passes its cross-origin protection), which answers a presigned PUT
//     whose headers are signed: they are sent exactly as given (the browser adds
//     Content-Length itself, and it is the declared size);
//  3. its bytes are PUT to storage by XMLHttpRequest, whose upload progress fills the bar;
//  4. it is confirmed: POST …/evidence/{evidence}/confirm, where the journey checks what
//     storage holds.
//
// Every refusal is shown in words in the file's row and in an error summary; a file whose
// bytes were refused is removed again (DELETE), so no unfinished upload is left behind. When
// every file is done, the list of files is fetched again and replaced in place.
//
// It marks the form data-enhanced="true" once it has taken it over, and data-state
// "uploading", then "done" when every file is done and the list is refreshed; each file's row
// (.app-progress, data-filename) gets data-state "done" or "error".
//
// What it relies on in the page: #upload-form (data-application, data-evidence-page,
// data-max-bytes, data-label-many, data-button-many) with #file, #file-label, #upload-button,
// #standards-group, #upload-standards (checkboxes name="standards"), #file-error and
// #standards-error (.app-error-text inside), #upload-error-summary, #upload-progress with
// #upload-progress-list and #upload-summary, and #evidence-list.

const form = document.getElementById('upload-form')

if (form && window.crypto && window.crypto.subtle && window.fetch && window.XMLHttpRequest && window.DOMParser) {
  enhance(form)
}

// The types evidence is declared as when the browser names none (as award.ContentTypeFor).
const typesByExtension = {
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  odp: 'application/vnd.oasis.opendocument.presentation',
  txt: 'text/plain',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  heic: 'image/heic',
  mp4: 'video/mp4',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4'
}

// Problems whose bytes can never be confirmed: the item is removed again.
const refusedBytes = ['checksum-mismatch', 'size-mismatch', 'type-mismatch']

class UploadError extends Error {
  constructor (message, type) {
    super(message)
    this.type = type || ''
  }
}

function enhance (form) {
  const app = form.dataset.application
  const input = document.getElementById('file')
  const button = document.getElementById('upload-button')
  const fieldset = document.getElementById('upload-standards')
  const errorTitle = document.title.replace(/^Error: /, '')
  let busy = false

  input.multiple = true
  document.getElementById('file-label').textContent = form.dataset.labelMany
  button.textContent = form.dataset.buttonMany
  document.getElementById('standards-group').hidden = false
  fieldset.disabled = false
  form.dataset.enhanced = 'true'

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    if (busy) {
      return
    }
    const files = Array.from(input.files)
    const standards = Array.from(form.querySelectorAll('input[name="standards"]:checked'), (box) => box.value)
    clearErrors()
    const errors = []
    if (files.length === 0) {
      errors.push({ field: 'file', href: '#file', text: 'Select a file to upload' })
    }
    if (standards.length === 0) {
      errors.push({ field: 'standards', href: '#standards', text: 'Select the standards these files are evidence for' })
    }
    if (errors.length > 0) {
      errors.forEach(showFieldError)
      showSummary(errors)
      return
    }
    busy = true
    button.disabled = true
    button.setAttribute('aria-disabled', 'true')
    form.dataset.state = 'uploading'
    uploadAll(files, standards).finally(() => {
      busy = false
      button.disabled = false
      button.removeAttribute('aria-disabled')
      form.dataset.state = 'done' // every file done and the list refreshed (tests wait for it)
    })
  })

  async function uploadAll (files, standards) {
    const box = document.getElementById('upload-progress')
    const list = document.getElementById('upload-progress-list')
    const summary = document.getElementById('upload-summary')
    list.replaceChildren()
    summary.textContent = ''
    box.hidden = false
    const rows = files.map((file, i) => progressRow(list, file, i + 1))
    box.scrollIntoView() // after the rows are in: scroll anchoring would move past them

    const problems = []
    let uploaded = 0
    for (let i = 0; i < files.length; i++) {
      try {
        await uploadOne(files[i], standards, rows[i])
        uploaded++
      } catch (err) {
        const message = err instanceof UploadError ? err.message : 'Something went wrong with this file. Try again.'
        rows[i].fail(message)
        problems.push({ href: '#' + rows[i].id, text: message.includes(files[i].name) ? message : files[i].name + ': ' + message })
      }
    }
    summary.textContent = uploaded === files.length
      ? (uploaded === 1 ? 'Your file has been uploaded.' : 'Your ' + uploaded + ' files have been uploaded.')
      : uploaded + ' of ' + files.length + ' files uploaded.'
    if (uploaded > 0) {
      input.value = ''
    }
    await refreshList()
    if (problems.length > 0) {
      showSummary(problems)
    }
  }

  async function uploadOne (file, standards, row) {
    const max = Number(form.dataset.maxBytes)
    if (max > 0 && file.size > max) {
      // Said here rather than after reading the whole file to compute its checksum; the
      // service refuses it in the same words.
      throw new UploadError('The file is too large: ' + megabytes(file.size) + ', and the limit is ' + megabytes(max) + ' per file.')
    }
    row.status('Checking the file')
    const sha256 = await digest(file)
    row.status('Starting the upload')
    const created = await api('POST', '/v1/applications/' + encodeURIComponent(app) + '/evidence', {
      filename: file.name, size: file.size, content_type: contentType(file), sha256, standards
    })
    const item = '/v1/applications/' + encodeURIComponent(app) + '/evidence/' + encodeURIComponent(created.evidence.id)
    try {
      await put(file, created.upload, row)
    } catch (err) {
      await discard(item)
      throw err
    }
    row.progress(100)
    row.status('Checking the upload')
    try {
      await api('POST', item + '/confirm')
    } catch (err) {
      if (refusedBytes.includes(err.type)) {
        await discard(item)
      }
      throw err
    }
    row.done('Uploaded')
  }

  // discard removes an item whose upload failed (best effort: the list shows it otherwise).
  async function discard (item) {
    try {
      await api('DELETE', item)
    } catch (err) {}
  }

  function clearErrors () {
    document.title = errorTitle
    document.getElementById('upload-error-summary').hidden = true
    for (const field of ['file', 'standards']) {
      const message = document.getElementById(field + '-error')
      message.hidden = true
      message.querySelector('.app-error-text').textContent = ''
      const group = document.getElementById(field + '-group')
      group.classList.remove('govuk-form-group--error')
    }
    input.classList.remove('govuk-file-upload--error')
    input.setAttribute('aria-describedby', 'file-hint')
    fieldset.setAttribute('aria-describedby', 'standards-hint')
  }

  function showFieldError (error) {
    const message = document.getElementById(error.field + '-error')
    message.querySelector('.app-error-text').textContent = error.text
    message.hidden = false
    document.getElementById(error.field + '-group').classList.add('govuk-form-group--error')
    if (error.field === 'file') {
      input.classList.add('govuk-file-upload--error')
      input.setAttribute('aria-describedby', 'file-hint file-error')
    } else {
      fieldset.setAttribute('aria-describedby', 'standards-hint standards-error')
    }
  }

  // showSummary fills the GOV.UK error summary at the top of the page and moves focus to it.
  function showSummary (errors) {
    const box = document.getElementById('upload-error-summary')
    const list = box.querySelector('.govuk-error-summary__list')
    list.replaceChildren(...errors.map((error) => {
      const link = element('a', { href: error.href }, error.text)
      link.addEventListener('click', (event) => {
        const target = document.getElementById(error.href.slice(1))
        if (target) {
          event.preventDefault()
          target.scrollIntoView()
          target.focus({ preventScroll: true })
        }
      })
      return element('li', {}, link)
    }))
    document.title = 'Error: ' + errorTitle
    box.hidden = false
    box.focus()
  }

  // refreshList replaces the list of files with the page's current one.
  async function refreshList () {
    try {
      const res = await fetch(form.dataset.evidencePage, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      if (!res.ok) {
        return
      }
      const page = new DOMParser().parseFromString(await res.text(), 'text/html')
      const fresh = page.getElementById('evidence-list')
      const old = document.getElementById('evidence-list')
      if (fresh && old) {
        old.replaceWith(document.importNode(fresh, true))
      }
    } catch (err) {}
  }
}

// progressRow adds a file's row (the app-progress component) and returns its controls.
function progressRow (list, file, n) {
  const id = 'upload-progress-' + n
  const row = element('div', { class: 'app-progress', id, 'data-filename': file.name, tabindex: '-1' })
  const name = element('p', { class: 'app-progress__filename', id: id + '-name' }, file.name)
  const bar = element('progress', { class: 'app-progress__bar', max: '100', value: '0', 'aria-labelledby': id + '-name' }, '0%')
  const status = element('p', { class: 'app-progress__status', id: id + '-status' }, 'Waiting')
  // Screen readers hear the file's progress from a live region of its own, in steps of a
  // quarter rather than at every byte, and every change of state.
  const live = element('span', { class: 'govuk-visually-hidden', id: id + '-live', 'aria-live': 'polite' })
  row.append(name, bar, status, live)
  list.append(row)
  let announced = -1
  const say = (text) => { live.textContent = file.name + ': ' + text }
  return {
    id,
    status (text) {
      status.textContent = text
      say(text)
    },
    progress (value) {
      bar.value = value
      bar.textContent = value + '%'
      status.textContent = 'Uploading: ' + value + '%'
      const step = Math.floor(value / 25) * 25
      if (step !== announced) {
        announced = step
        say('uploading, ' + step + '%')
      }
    },
    done (text) {
      bar.value = 100
      bar.textContent = '100%'
      row.classList.add('app-progress--done')
      row.dataset.state = 'done'
      status.textContent = text
      say(text)
    },
    fail (text) {
      row.classList.add('app-progress--error')
      row.dataset.state = 'error'
      status.textContent = 'Not uploaded: ' + text
      say('not uploaded: ' + text)
    }
  }
}

// digest is the file's SHA-256 in lowercase hex.
async function digest (file) {
  const sum = await window.crypto.subtle.digest('SHA-256', await file.arrayBuffer())
  return Array.from(new Uint8Array(sum), (b) => b.toString(16).padStart(2, '0')).join('')
}

// contentType is the type the file is declared as: the browser's, or its extension's when the
// browser names none.
function contentType (file) {
  if (file.type && file.type !== 'application/octet-stream') {
    return file.type
  }
  const match = /\.([^.]+)$/.exec(file.name)
  return (match && typesByExtension[match[1].toLowerCase()]) || 'application/octet-stream'
}

// api calls the JSON API with this page's session; a refusal becomes an UploadError saying it
// in words (the problem document's detail, or its first field's message).
async function api (method, url, body) {
  const headers = { Accept: 'application/json' }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
  }
  let res
  try {
    res = await fetch(url, { method, credentials: 'same-origin', headers, body: body === undefined ? undefined : JSON.stringify(body) })
  } catch (err) {
    throw new UploadError('The service could not be reached. Check your connection and try again.')
  }
  if (res.ok) {
    return res.status === 204 ? null : res.json()
  }
  let problem = {}
  try {
    problem = await res.json()
  } catch (err) {}
  const message = (problem.errors && problem.errors.length > 0 && problem.errors[0].message) || problem.detail || problem.title ||
    'The service could not do this (' + res.status + '). Try again.'
  throw new UploadError(sentence(message), String(problem.type || '').split('/').pop())
}

// put sends the file's bytes to storage with the signed headers, reporting progress.
function put (file, upload, row) {
  return new Promise((resolve, reject) => {
    const xhr = new window.XMLHttpRequest()
    xhr.open(upload.method || 'PUT', upload.url)
    for (const [name, value] of Object.entries(upload.headers || {})) {
      if (name.toLowerCase() !== 'content-length') {
        xhr.setRequestHeader(name, value)
      }
    }
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable && event.total > 0) {
        row.progress(Math.min(99, Math.floor(event.loaded / event.total * 100)))
      }
    })
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve()
      } else {
        reject(new UploadError(storageRefusal(xhr)))
      }
    })
    xhr.addEventListener('error', () => reject(new UploadError('The file did not reach storage. Check your connection and try again.')))
    xhr.addEventListener('abort', () => reject(new UploadError('The upload was stopped. Try again.')))
    xhr.send(file)
  })
}

// storageRefusal says in words why storage refused a PUT (its XML error's Code).
function storageRefusal (xhr) {
  let code = ''
  let detail = ''
  try {
    const doc = new DOMParser().parseFromString(xhr.responseText, 'application/xml')
    code = (doc.querySelector('Code') || {}).textContent || ''
    detail = (doc.querySelector('Message') || {}).textContent || ''
  } catch (err) {}
  switch (code) {
    case 'BadDigest':
    case 'XAmzContentChecksumMismatch':
    case 'XAmzContentSHA256Mismatch':
      return 'Checksum mismatch: the file that arrived is not the file that was checked before the upload (it may have changed while uploading). Try again.'
    case 'EntityTooLarge':
      return 'The file is too large for storage.'
    case 'IncompleteBody':
      return 'Only part of the file arrived. Check your connection and try again.'
    case 'PreconditionFailed':
      return 'This file was already uploaded: storage keeps the first copy. Refresh the page to see it.'
    case 'AccessDenied':
      if (/expired/i.test(detail)) {
        return 'The upload link expired before the file was sent. Try again.'
      }
      break
    case 'SignatureDoesNotMatch':
      return 'Storage refused the upload: the file was not the one declared. Try again.'
  }
  return 'Storage refused the upload' + (code ? ' (' + code + ')' : ' (' + xhr.status + ')') + '. Try again.'
}

// megabytes is a size as the limits are stated (MB of 2^20 bytes), rounded up to 0.1 MB.
function megabytes (n) {
  const mb = n / 1048576
  return (Number.isInteger(mb) ? String(mb) : (Math.ceil(mb * 10) / 10).toFixed(1)) + ' MB'
}

function sentence (text) {
  text = String(text).trim()
  return text.charAt(0).toUpperCase() + text.slice(1)
}

function element (tag, attributes, ...children) {
  const el = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    el.setAttribute(name, value)
  }
  el.append(...children)
  return el
}
