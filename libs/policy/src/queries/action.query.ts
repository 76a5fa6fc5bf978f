export class GetActionQuery {
  constructor(readonly actionId: string) {}
}

export class GetActionHistoryQuery {
  constructor(readonly actionId: string) {}
}
