import { useEffect, useState } from 'react';

/** True below the phone breakpoint; inspectors and workers use the app on a phone. */
export function useIsPhone(): boolean {
  const query = '(max-width: 767px)';
  const [matches, setMatches] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const mql = window.matchMedia(query);
    const onChange = () => setMatches(mql.matches);
    mql.addEventListener('change', onChange);
    return () => mql.removeEventListener('change', onChange);
  }, []);
  return matches;
}
