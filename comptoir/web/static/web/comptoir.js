// The page behaviours, delegated from data attributes: the pages carry no inline script, so
// the Content-Security-Policy can refuse every script that is not one of these files.

// A line being typed in keeps its value while the document's lines are redrawn around it (set
// here: a configuration written in the page would be evaluated, which the policy refuses).
if (window.Idiomorph) {
  Idiomorph.defaults.ignoreActiveValue = true;
}
document.addEventListener("click", (event) => {
  const opener = event.target.closest("[data-opens-dialog]");
  if (opener) {
    opener.nextElementSibling.showModal();
    return;
  }
  const closer = event.target.closest("[data-closes-dialog]");
  if (closer) {
    closer.closest("dialog").close();
    return;
  }
  if (event.target.closest("[data-prints]")) {
    window.print();
  }
});

document.addEventListener("change", (event) => {
  if (event.target.matches("[data-submits]")) {
    event.target.form.submit();
  }
});

// A choice that tells what another field holds (a pricing rule's action and its value): the
// field's label follows the choice.
document.addEventListener("change", (event) => {
  const select = event.target.closest("[data-value-labels]");
  if (!select) {
    return;
  }
  const text = JSON.parse(select.dataset.valueLabels)[select.value];
  const input = select.form && select.form.elements.namedItem("value");
  const label = input && input.closest("label");
  if (text && label && label.firstChild.nodeType === Node.TEXT_NODE) {
    label.firstChild.textContent = text + (label.firstChild.textContent.includes("*") ? " * " : " ");
  }
});
