// An <a> to a route: a real link (open in new tab works), navigated in place on a plain click.
import type { JSX } from 'preact';
import { href, navigate } from '../router';

export function Link({
  to,
  ...rest
}: Omit<JSX.AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string }) {
  return (
    <a
      {...rest}
      href={href(to)}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(to);
      }}
    />
  );
}
