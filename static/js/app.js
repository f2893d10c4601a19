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
