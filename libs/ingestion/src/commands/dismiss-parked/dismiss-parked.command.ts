/** Set a parked item aside for good: it stays listed under `dismissed`. */
export class DismissParkedCommand {
  constructor(readonly parkedId: number) {}
}
