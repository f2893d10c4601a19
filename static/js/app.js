// Small behaviours of the shell. No inline scripts anywhere, so a strict Content Security Policy can be applied.
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector("[data-nav-toggle]");
  const nav = document.getElementById("primary-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", () => {
      const open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", String(open));
    });
  }
  // A "select all" box checks every box named in its data-select-all attribute.
  document.querySelectorAll("[data-select-all]").forEach((box) => {
    box.addEventListener("change", () => {
      document.querySelectorAll(`input[name="${box.dataset.selectAll}"]`).forEach((other) => {
        other.checked = box.checked;
      });
    });
  });
});

// Uploads: dropping a file on the drop zone fills the file field; submitting shows a progress bar while the file is
// sent. The form still posts normally when JavaScript is off.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-upload-form]").forEach((form) => {
    const input = form.querySelector('input[type="file"]');
    const zone = form.querySelector("[data-dropzone]");
    const progressBox = form.querySelector("[data-upload-progress]");
    const bar = progressBox && progressBox.querySelector("progress");
    if (zone && input) {
      // Whether dropped or chosen with the button, the zone names the file that will be sent.
      const showChosen = () => {
        if (input.files.length) zone.querySelector("p").textContent = `Selected: ${input.files[0].name}`;
      };
      input.addEventListener("change", showChosen);
      ["dragenter", "dragover"].forEach((type) => zone.addEventListener(type, (event) => {
        event.preventDefault();
        zone.classList.add("dragover");
      }));
      ["dragleave", "drop"].forEach((type) => zone.addEventListener(type, () => zone.classList.remove("dragover")));
      zone.addEventListener("drop", (event) => {
        event.preventDefault();
        if (event.dataTransfer.files.length) {
          input.files = event.dataTransfer.files;
          showChosen();
        }
      });
    }
    form.addEventListener("submit", (event) => {
      if (!bar || !window.FormData) return;
      event.preventDefault();
      progressBox.hidden = false;
      const request = new XMLHttpRequest();
      request.open("POST", form.action || window.location.href);
      request.upload.addEventListener("progress", (progress) => {
        if (progress.lengthComputable) {
          bar.value = Math.round((progress.loaded / progress.total) * 100);
          bar.textContent = `${bar.value}%`;
        }
      });
      request.addEventListener("load", () => {
        // The server answers with a redirect (followed here) or the form with its errors. Either way the answer is
        // shown as it came: loading the redirect's address a second time would lose its one-time message
        // ("Uploaded … as a draft"), which the followed request has already used up.
        if (request.responseURL && request.responseURL !== window.location.href) {
          window.history.replaceState(null, "", request.responseURL);
        }
        document.open();
        document.write(request.responseText);
        document.close();
      });
      request.addEventListener("error", () => {
        progressBox.hidden = true;
        window.alert("The upload failed. Check your connection and try again; nothing was saved.");
      });
      request.send(new FormData(form));
    });
  });
});

// Audit checklist notes: kept in this browser until the server has them, so a dropped connection in the audit room
// loses nothing. A draft left from an earlier visit is put back and saved again.
(() => {
  const storageKey = (form) => `qms-draft:${form.dataset.draftKey}`;
  // The form that sent a request. Not `detail.elt`: once the answer has replaced the form, htmx fires the event again
  // on an ancestor still in the page and points `detail.elt` there.
  const requestForm = (event) => {
    const elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    return elt && elt.closest ? elt.closest("form[data-draft-key]") : null;
  };
  const markUnsaved = (form, text) => {
    const state = form.querySelector(".save-state");
    if (state) { state.textContent = text; state.classList.add("unsaved"); }
  };
  // Notes this browser holds and the server does not (a textarea's default value is what the server sent) are put
  // back, and sent again unless the server has just refused them: it would refuse them again.
  const restoreDrafts = (root, { resend = true, text = "Restored notes that were not saved yet; saving…" } = {}) => {
    root.querySelectorAll("form[data-draft-key]").forEach((form) => {
      const draft = window.localStorage.getItem(storageKey(form));
      const notes = form.querySelector("textarea");
      if (draft === null || !notes) return;
      if (draft === notes.defaultValue) {
        window.localStorage.removeItem(storageKey(form));
        return;
      }
      notes.value = draft;
      if (resend) {
        markUnsaved(form, text);
        window.htmx && window.htmx.trigger(form, "submit");
      }
    });
  };
  document.addEventListener("input", (event) => {
    const form = event.target.closest && event.target.closest("form[data-draft-key]");
    if (form && event.target.tagName === "TEXTAREA") {
      window.localStorage.setItem(storageKey(form), event.target.value);
      markUnsaved(form, "Saving…");
    }
  });
  // A draft is forgotten once the server has saved exactly it: not when it refused it (400, shown like a save), and
  // not when newer notes were typed while the request was on its way.
  document.addEventListener("htmx:afterRequest", (event) => {
    const form = requestForm(event);
    const status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (form && status >= 200 && status < 300
        && window.localStorage.getItem(storageKey(form)) === event.detail.requestConfig.formData.get("notes")) {
      window.localStorage.removeItem(storageKey(form));
    }
  });
  document.addEventListener("htmx:sendError", (event) => {
    const form = requestForm(event);
    if (form) markUnsaved(form, "Not saved: no connection. Your notes stay on this device and are saved when you edit again.");
  });
  // A refused answer (400) comes back as the question with the reason shown: put it in place like a saved one.
  document.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // The checklist's heading counts the questions answered, including those just saved on this page.
  const recount = () => {
    const count = document.querySelector("[data-answered-count]");
    const items = Array.from(document.querySelectorAll("[data-autosave-item]"));
    if (count) {
      const answered = items.filter((item) => !item.classList.contains("result-not_checked")).length;
      count.textContent = `${answered} of ${items.length} answered`;
    }
  };
  // The answer replaces the whole question, textarea included: notes typed while it was on its way are put back into
  // the new one (and saved, unless the answer was a refusal).
  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.target.matches && event.target.matches("[data-autosave-item]")) {
      restoreDrafts(event.target, { resend: !(event.detail.xhr && event.detail.xhr.status >= 400), text: "Saving…" });
      recount();
    }
  });
  document.addEventListener("DOMContentLoaded", () => restoreDrafts(document));
})();
