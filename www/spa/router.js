// A small single-page app for the agent's page-view tests and demo: a History API
// router (index.html) or a hash router (hash.html). Like many real routers it calls
// replaceState on every render (to keep state in the history entry), redirects an old
// path with replaceState, and sets the title after the URL has changed.
const hashRouter = document.documentElement.dataset.router === 'hash';
const BASE = '/spa';
const PAGES = {
  '/': { title: 'Home', screens: 1 },
  '/products': { title: 'Products', screens: 4 },
  '/products/42': { title: 'Product 42', screens: 2 },
  '/about': { title: 'About', screens: 1 },
};
const REDIRECTS = { '/old-about': '/about' };
const view = document.getElementById('view');

function currentRoute() {
  if (hashRouter) return (location.hash.slice(1) || '/').split('?')[0];
  return location.pathname.slice(BASE.length) || '/';
}

function urlOf(route) {
  return hashRouter ? '#' + route : BASE + route;
}

function render() {
  let route = currentRoute();
  if (REDIRECTS[route]) {
    route = REDIRECTS[route];
    history.replaceState(history.state, '', urlOf(route));
  }
  const page = PAGES[route] || { title: 'Not found', screens: 1 };
  document.title = page.title + ' · SPA';
  view.innerHTML = '';
  const h1 = document.createElement('h1');
  h1.textContent = page.title;
  const body = document.createElement('div');
  body.className = 'page';
  body.style.minHeight = page.screens * 100 + 'vh';
  body.textContent = page.screens > 1 ? 'A long page: scroll down.' : 'A short page.';
  view.append(h1, body);
  const renders = ((history.state && history.state.renders) || 0) + 1;
  history.replaceState(Object.assign({}, history.state, { renders }), '', location.href);
}

document.addEventListener('click', (event) => {
  const link = event.target.closest && event.target.closest('a[data-link]');
  if (!link || hashRouter) return; // hash links navigate by themselves
  event.preventDefault();
  history.pushState({}, '', link.getAttribute('href'));
  window.scrollTo(0, 0);
  render();
});
window.addEventListener(hashRouter ? 'hashchange' : 'popstate', render);
render();
