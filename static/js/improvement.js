// Improvement pages. Everything here is an enhancement: without JavaScript every card moves with its "Move" form (which
// is also how the keyboard moves it), and the similar ideas are listed when the submit form comes back refused.

// The board: a card the user may move can be dragged to another column. The drop posts to the same advance view as
// the card's form, asking for JSON; the answer brings the card as it now is, or the service's reason, and the card
// snaps back to where it was.
document.addEventListener("DOMContentLoaded", () => {
  const board = document.querySelector("[data-board]");
  if (!board) return;
  const status = document.querySelector("[data-board-status]");
  let dragged = null;
  let origin = null;

  const csrfToken = () => {
    const input = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  };
  const say = (text, isError = false) => {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("is-error", isError);
  };
  const recount = () => {
    document.querySelectorAll("[data-count-scope]").forEach((scope) => {
      const cards = scope.querySelectorAll("[data-card]").length;
      const count = scope.querySelector("[data-count]");
      if (count) count.textContent = String(cards);
      const empty = scope.querySelector("[data-empty]");
      if (empty) empty.hidden = cards > 0;
    });
  };
  const clearHighlights = () => {
    board.querySelectorAll(".drop-allowed, .drop-over").forEach((column) => {
      column.classList.remove("drop-allowed", "drop-over");
    });
  };
  const snapBack = (card) => {
    if (origin && origin.list.isConnected) origin.list.insertBefore(card, origin.next && origin.next.parentElement === origin.list ? origin.next : null);
    card.classList.add("is-refused");
    card.addEventListener("animationend", () => card.classList.remove("is-refused"), { once: true });
    recount();
  };

  document.addEventListener("dragstart", (event) => {
    const card = event.target.closest && event.target.closest("[data-card][draggable='true']");
    if (!card) return;
    dragged = card;
    origin = { list: card.parentElement, next: card.nextElementSibling };
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.id);
    card.classList.add("is-dragging");
    // The columns this user may move the card to are outlined; a drop elsewhere is still sent, so the reason shows.
    const allowed = (card.dataset.moves || "").split(" ");
    board.querySelectorAll("[data-column]").forEach((column) => {
      column.classList.toggle("drop-allowed", allowed.includes(column.dataset.column));
    });
  });
  document.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("is-dragging");
    clearHighlights();
  });

  board.querySelectorAll("[data-column]").forEach((column) => {
    column.addEventListener("dragover", (event) => {
      if (!dragged || column.dataset.column === dragged.dataset.stage) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      column.classList.add("drop-over");
    });
    column.addEventListener("dragleave", (event) => {
      if (!column.contains(event.relatedTarget)) column.classList.remove("drop-over");
    });
    column.addEventListener("drop", (event) => {
      event.preventDefault();
      const card = dragged;
      dragged = null;
      clearHighlights();
      if (!card || column.dataset.column === card.dataset.stage) return;
      const target = column.dataset.column;
      column.querySelector("[data-drop]").prepend(card);
      card.classList.remove("is-dragging");
      recount();
      say("Moving…");
      const body = new FormData();
      body.append("to", target);
      body.append("next", window.location.pathname + window.location.search);
      fetch(card.dataset.advanceUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      })
        .then((response) => response.json().catch(() => ({ ok: false, message: `The move failed (${response.status}); reload the page and try again.` })))
        .then((answer) => {
          if (answer.ok) {
            const template = document.createElement("template");
            template.innerHTML = answer.card.trim();
            const fresh = template.content.firstElementChild;
            card.replaceWith(fresh);
            if (window.htmx) window.htmx.process(fresh);
            recount();
            say(answer.message);
          } else {
            snapBack(card);
            say(answer.message, true);
          }
        })
        .catch(() => {
          snapBack(card);
          say("No connection: the card was not moved.", true);
        });
    });
  });
});
