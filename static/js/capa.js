// CAPA pages. Everything here is an enhancement: without JavaScript the forms show every row and panel and still work.
document.addEventListener("DOMContentLoaded", () => {
  // The analysis editor shows the panel of the chosen method (both while none is chosen), and the 5 Whys grow a row
  // at a time instead of asking the user to save for more.
  document.querySelectorAll("[data-analysis-form]").forEach((form) => {
    const radios = form.querySelectorAll('input[type="radio"][name$="root_cause_method"]');
    const panels = form.querySelectorAll("[data-method-panel]");
    const showChosen = () => {
      const chosen = Array.from(radios).find((radio) => radio.checked);
      const method = chosen ? chosen.value : "";
      panels.forEach((panel) => {
        panel.hidden = method !== "" && panel.dataset.methodPanel !== method;
      });
    };
    radios.forEach((radio) => radio.addEventListener("change", showChosen));
    showChosen();

    const add = form.querySelector("[data-add-why]");
    const hint = form.querySelector("[data-why-hint]");
    if (!add) return;
    const nextHidden = () => form.querySelector("[data-why-extra][hidden]");
    const refresh = () => {
      add.hidden = !nextHidden();
    };
    add.addEventListener("click", () => {
      const row = nextHidden();
      if (!row) return;
      row.hidden = false;
      const input = row.querySelector("input");
      if (input) input.focus();
      refresh();
    });
    if (hint) hint.textContent = "Empty rows are ignored.";
    refresh();
  });

  // The report form: choosing "customer complaint" marks the customer fields as required (the server says so too).
  document.querySelectorAll("[data-nonconformity-form]").forEach((form) => {
    const source = form.querySelector('select[name="source"]');
    const group = form.querySelector("[data-complaint-fields]");
    if (!source || !group) return;
    const required = ["customer", "reply_due"].map((name) => form.querySelector(`[name="${name}"]`)).filter(Boolean);
    const refresh = () => {
      const complaint = source.value === "customer_complaint";
      group.classList.toggle("is-required", complaint);
      required.forEach((input) => input.setAttribute("aria-required", String(complaint)));
    };
    source.addEventListener("change", refresh);
    refresh();
  });
});
