// Ground truth for T0 checks: the instant a lab network link is cut (Link.cut() entered: from then on no new
// connection gets through). The lab's fault record is written later, once cut() has destroyed the open
// connections, which under load can be tens of ms after the cut itself.
import { Link } from '../net/link.ts';

/** Records when any lab Link in this process is cut (wall ms, the clock of testRun and of the lab's records). */
export function observeLinkCuts(): { cuts: { link: string; at: number }[]; stop: () => void } {
  const cuts: { link: string; at: number }[] = [];
  const cut = Link.prototype.cut;
  Link.prototype.cut = function (this: Link) {
    cuts.push({ link: this.name, at: Date.now() });
    cut.call(this);
  };
  const stop = () => {
    Link.prototype.cut = cut;
  };
  return { cuts, stop };
}
