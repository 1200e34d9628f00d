import { type MouseEvent, type ReactNode, useEffect, useState } from "react";

// Pathname routes; the control plane answers unknown extension-less paths with index.html, so a reload
// or a bookmarked page loads the app.

export const ROUTES = ["/", "/users", "/keys", "/groups", "/accounts", "/pricing", "/usage"] as const;
export type Route = (typeof ROUTES)[number];

const CHANGE = "tollgate:navigate";

function current(): Route {
  const path = window.location.pathname.replace(/\/+$/, "") || "/";
  return (ROUTES as readonly string[]).includes(path) ? (path as Route) : "/";
}

export function navigate(route: Route): void {
  if (window.location.pathname !== route) window.history.pushState(null, "", route);
  window.dispatchEvent(new Event(CHANGE));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = () => setRoute(current());
    window.addEventListener("popstate", update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return route;
}

export function Link({ to, className, children }: { to: Route; className?: string; children: ReactNode }) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} className={className} onClick={onClick}>
      {children}
    </a>
  );
}
