// Sets the `dark` class before React loads so a dark theme never flashes light. Mirrors src/lib/theme.ts.
(function () {
  try {
    var t = localStorage.getItem('hopdeck-theme');
    var dark = t === 'dark' || (t !== 'light' && window.matchMedia('(prefers-color-scheme: dark)').matches);
    document.documentElement.classList.toggle('dark', dark);
  } catch {
    /* storage unavailable: keep the light default */
  }
})();
