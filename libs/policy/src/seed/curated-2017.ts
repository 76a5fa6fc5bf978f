// The curated 2017 "sanctuary cities" dataset the embedded default loads on first start.
// Facts come from the NBC News article of 27 March 2017 (cited on every action); summaries are
// our own words, quotes are short and attributed. Where the brief allowed well-known public facts
// (EO 13768, 82 FR 8799, 8 U.S.C. § 1373) they are citations, not claims about the article.
import {
  type ActionContentInput,
  type ActionState,
  type DomainError,
  decideAction,
  decideJurisdiction,
  evolveAction,
  evolveJurisdiction,
  type FieldError,
  isDomainError,
  type JurisdictionState,
  type RecordAction,
  type RegisterJurisdiction,
  type Relation,
  collectReferences,
  resolveParentId,
  type SourceInput,
} from '../domain';

const US = 'ocd-division/country:us';
const state = (code: string) => `${US}/state:${code}`;
const J = {
  us: US,
  ca: state('ca'),
  co: state('co'),
  il: state('il'),
  ma: state('ma'),
  ny: state('ny'),
  pa: state('pa'),
  wa: state('wa'),
  sanFrancisco: `${state('ca')}/county:san_francisco`, // consolidated city-county: a county id
  denver: `${state('co')}/place:denver`,
  chicago: `${state('il')}/place:chicago`,
  boston: `${state('ma')}/place:boston`,
  newYork: `${state('ny')}/place:new_york`,
  syracuse: `${state('ny')}/place:syracuse`,
  philadelphia: `${state('pa')}/place:philadelphia`,
  seattle: `${state('wa')}/place:seattle`,
} as const;

const register = (id: string, name: string, level: RegisterJurisdiction['data']['level']): RegisterJurisdiction => ({
  type: 'RegisterJurisdiction',
  data: { id, name, level },
});

/** Every jurisdiction the dataset names, parents first; names as in the OCD US list. */
export const curatedJurisdictions: RegisterJurisdiction[] = [
  register(J.us, 'United States', 'federal'),
  register(J.ca, 'California', 'state'),
  register(J.co, 'Colorado', 'state'),
  register(J.il, 'Illinois', 'state'),
  register(J.ma, 'Massachusetts', 'state'),
  register(J.ny, 'New York', 'state'),
  register(J.pa, 'Pennsylvania', 'state'),
  register(J.wa, 'Washington', 'state'),
  register(J.sanFrancisco, 'San Francisco County', 'county'),
  register(J.denver, 'Denver city', 'municipal'),
  register(J.chicago, 'Chicago city', 'municipal'),
  register(J.boston, 'Boston city', 'municipal'),
  register(J.newYork, 'New York city', 'municipal'),
  register(J.syracuse, 'Syracuse city', 'municipal'),
  register(J.philadelphia, 'Philadelphia city', 'municipal'),
  register(J.seattle, 'Seattle city', 'municipal'),
];

/** The article every curated action rests on. */
export const CURATED_2017_ARTICLE = {
  url: 'https://www.nbcnews.com/news/us-news/ag-sessions-threatens-sanctuary-cities-mayors-fight-back-n738876',
  publisher: 'NBC News',
  title: "AG Sessions Threatens 'Sanctuary Cities,' Mayors Fight Back",
  publishedOn: '2017-03-27',
} as const satisfies SourceInput;

const article = (quote?: string, quoteAttribution?: string): SourceInput =>
  quote ? { ...CURATED_2017_ARTICLE, quote, quoteAttribution } : { ...CURATED_2017_ARTICLE };

const TAGS = ['sanctuary-jurisdictions', 'immigration-enforcement'];

/** Readable, stable ids: also the event stream ids' suffix, so never change them. */
export const CURATED_ACTION_IDS = {
  executiveOrder: 'us-eo-2017-01-sanctuary-jurisdictions',
  obamaGrantPolicy: 'us-doj-2016-grant-cooperation-policy',
  jailReport: 'us-ice-2017-03-released-detainees-report',
  grantCertification: 'us-doj-2017-03-27-section-1373-grant-certification',
  conferencePledge: 'nyc-2017-03-sanctuary-cities-conference-pledge',
  chicagoCourtFiling: 'chicago-2017-03-court-filing-withheld-funds',
  deBlasioStatement: 'nyc-2017-03-27-de-blasio-statement',
  walshStatement: 'boston-2017-03-27-walsh-statement',
  minerStatement: 'syracuse-2017-03-27-miner-statement',
  chicagoStatement: 'chicago-2017-03-27-emanuel-spokesman-statement',
  brownStatement: 'ca-2017-03-brown-mess-with-california',
} as const;
const A = CURATED_ACTION_IDS;

export interface CuratedAction {
  id: string;
  /** Ready for `decideAction`; `data.relations` are its links to actions listed before it. */
  command: RecordAction;
}

const action = (id: string, content: ActionContentInput, relations: Relation[] = []): CuratedAction => ({
  id,
  command: { type: 'RecordAction', data: { actionId: id, content: { tags: TAGS, ...content }, relations } },
});
const day = (date: string) => ({ date, precision: 'day' as const });
const month = (date: string) => ({ date, precision: 'month' as const });
const year = (date: string) => ({ date, precision: 'year' as const });

/** In dependency order: every relation target comes earlier in the list. */
export const curatedActions: CuratedAction[] = [
  action(A.executiveOrder, {
    kind: 'executive_order',
    title: 'Executive order on sanctuary jurisdictions (Executive Order 13768)',
    summary:
      'President Donald Trump signed an order telling federal agencies to identify the local jurisdictions ' +
      'that decline to help federal immigration enforcement locate and deport people without legal status, ' +
      'and to withhold federal grants from them.',
    occurredOn: month('2017-01'),
    actingJurisdictionId: J.us,
    affectedJurisdictionIds: [J.us],
    actors: [{ name: 'Donald Trump', office: 'President of the United States' }],
    citations: [
      { kind: 'other', text: 'Executive Order 13768' },
      { kind: 'federal_register', text: '82 FR 8799' },
    ],
    sources: [article()],
    tags: [...TAGS, 'federal-grants'],
  }),

  action(A.obamaGrantPolicy, {
    kind: 'grant_condition',
    title: 'Obama administration Justice Department grant policy on cooperation with immigration authorities',
    summary:
      'In 2016 the Justice Department of the Obama administration adopted a grant policy that Attorney General ' +
      'Jeff Sessions, in March 2017, described as similar to his own certification requirement and said he was ' +
      'clarifying. The source gives no further detail of its terms.',
    occurredOn: year('2016'),
    actingJurisdictionId: J.us,
    affectedJurisdictionIds: [J.us],
    actors: [{ name: 'U.S. Department of Justice' }],
    sources: [article()],
    tags: [...TAGS, 'federal-grants'],
  }),

  action(
    A.jailReport,
    {
      kind: 'agency_report',
      title: 'Federal report on immigrants released from local jails before agents could intervene',
      summary:
        'Days before the Attorney General spoke on 27 March 2017, the administration published a report on ' +
        'local jails counting more than 200 cases in which immigrants left local custody before federal ' +
        'immigration agents could step in. The list was compiled under the January 2017 executive order.',
      occurredOn: month('2017-03'),
      actingJurisdictionId: J.us,
      affectedJurisdictionIds: [J.us],
      actors: [{ name: 'U.S. Immigration and Customs Enforcement' }],
      sources: [article()],
    },
    [{ relation: 'implements', targetId: A.executiveOrder }],
  ),

  action(
    A.grantCertification,
    {
      kind: 'grant_condition',
      title: 'Attorney General makes Justice Department grants conditional on certifying compliance with 8 U.S.C. § 1373',
      summary:
        'Speaking in the White House briefing room, Attorney General Jeff Sessions said jurisdictions seeking a ' +
        'share of $4.1 billion in Justice Department grants would have to show they comply with the federal ' +
        'provision on sharing information with immigration officials. He warned that non-cooperating ' +
        'jurisdictions could lose federal money, suggested grants already awarded could be clawed back, and ' +
        'presented the step as a clarification of a similar 2016 policy.',
      occurredOn: day('2017-03-27'),
      actingJurisdictionId: J.us,
      affectedJurisdictionIds: [J.us],
      actors: [{ name: 'Jeff Sessions', office: 'Attorney General of the United States', organisation: 'U.S. Department of Justice' }],
      citations: [{ kind: 'statute', text: '8 U.S.C. § 1373' }],
      amounts: [
        { value: 4_100_000_000, currency: 'USD', description: 'Justice Department grant money whose applicants must certify compliance' },
      ],
      sources: [
        article(
          "I urge the nation's states and cities to carefully consider the harm they are doing to their citizens by refusing to enforce our immigration laws",
          'Jeff Sessions, Attorney General',
        ),
      ],
      tags: [...TAGS, 'federal-grants'],
    },
    [
      { relation: 'implements', targetId: A.executiveOrder },
      { relation: 'amends', targetId: A.obamaGrantPolicy },
    ],
  ),

  action(
    A.conferencePledge,
    {
      kind: 'defiance_pledge',
      title: 'City leaders meeting in New York pledge to defy the federal immigration crackdown',
      summary:
        'At a small conference in New York with officials from San Francisco, Seattle, Denver, Chicago, ' +
        'Philadelphia and New York, municipal leaders promised to resist the administration: to keep federal ' +
        'immigration agents out of certain non-public parts of city property, to restrict their entry to ' +
        'schools and student files, and to fund legal help for undocumented immigrants. City officials were also urged ' +
        'to use their seldom-exercised oversight and subpoena authority to investigate federal immigration practices.',
      occurredOn: month('2017-03'),
      actingJurisdictionId: J.newYork,
      affectedJurisdictionIds: [J.sanFrancisco, J.seattle, J.denver, J.chicago, J.philadelphia, J.newYork],
      actors: [{ name: 'Melissa Mark-Viverito', office: 'Speaker', organisation: 'New York City Council' }],
      sources: [
        article("We are going to become this administration's worst nightmare", 'Melissa Mark-Viverito, New York City Council Speaker'),
      ],
    },
    [{ relation: 'responds_to', targetId: A.executiveOrder }],
  ),

  action(
    A.chicagoCourtFiling,
    {
      kind: 'amicus_brief',
      title: 'Chicago and 34 cities and counties ask a federal court to stop the withholding of federal funds',
      summary:
        "According to the Chicago mayor's office, Chicago joined 34 cities and counties in asking a federal " +
        'court to bar the federal government from withholding federal funds from them unlawfully. The source ' +
        'names neither the court nor the case, and dates the filing only as current on 27 March 2017.',
      occurredOn: month('2017-03'),
      actingJurisdictionId: J.chicago,
      affectedJurisdictionIds: [J.chicago],
      actors: [{ name: 'City of Chicago' }],
      sources: [
        article(
          'asking a federal court to prevent the federal government from illegally withholding federal funds',
          'Matt McGrath, spokesman for Chicago Mayor Rahm Emanuel',
        ),
      ],
      tags: [...TAGS, 'federal-grants'],
    },
    [{ relation: 'challenges', targetId: A.executiveOrder }],
  ),

  action(
    A.deBlasioStatement,
    {
      kind: 'public_statement',
      title: 'New York Mayor Bill de Blasio vows to keep the city welcoming and to fight funding cuts in court',
      summary:
        "Answering the Attorney General, Mayor Bill de Blasio said the threat altered nothing: New York would stay " +
        'open to immigrants, and any move to cut police department funding for the country\'s top terrorism ' +
        'target would be contested aggressively in court.',
      occurredOn: day('2017-03-27'),
      actingJurisdictionId: J.newYork,
      affectedJurisdictionIds: [J.newYork],
      actors: [{ name: 'Bill de Blasio', office: 'Mayor of New York City' }],
      sources: [article('President Trump’s latest threat changes nothing', 'Bill de Blasio, Mayor of New York')],
    },
    [{ relation: 'responds_to', targetId: A.grantCertification }],
  ),

  action(
    A.walshStatement,
    {
      kind: 'public_statement',
      title: 'Boston Mayor Martin Walsh calls the threat to cut federal funding irresponsible and destructive',
      summary:
        "In a written statement, Mayor Martin Walsh said his residents' safety and well-being stay his first " +
        'concern, and condemned as irresponsible and destructive the threat to pull federal money from cities ' +
        'that build trust between police and immigrant communities.',
      occurredOn: day('2017-03-27'),
      actingJurisdictionId: J.boston,
      affectedJurisdictionIds: [J.boston],
      actors: [{ name: 'Martin Walsh', office: 'Mayor of Boston' }],
      sources: [
        article(
          'The safety and well-being of our residents is, and will continue to be, my top priority as Mayor of Boston',
          'Martin Walsh, Mayor of Boston',
        ),
      ],
    },
    [{ relation: 'responds_to', targetId: A.grantCertification }],
  ),

  action(
    A.minerStatement,
    {
      kind: 'public_statement',
      title: 'Syracuse Mayor Stephanie A. Miner defends the city as a sanctuary city',
      summary:
        'Mayor Stephanie A. Miner accused the Justice Department leadership of putting ideology before sound ' +
        'public policy. She said Syracuse is a sanctuary city because of its long tradition of taking in ' +
        'immigrants and refugees, and because the policy lets police earn community trust so that victims and witnesses of ' +
        'crime come forward without fear; she called the decision divisive and contrary to the nation\'s history.',
      occurredOn: day('2017-03-27'),
      actingJurisdictionId: J.syracuse,
      affectedJurisdictionIds: [J.syracuse],
      actors: [{ name: 'Stephanie A. Miner', office: 'Mayor of Syracuse' }],
      sources: [article('This is not who we are and this is not who we should be.', 'Stephanie A. Miner, Mayor of Syracuse')],
    },
    [{ relation: 'responds_to', targetId: A.grantCertification }],
  ),

  action(
    A.chicagoStatement,
    {
      kind: 'public_statement',
      title: "Chicago mayor's office calls the plan to deny federal funds unconstitutional",
      summary:
        "Matt McGrath, speaking for Mayor Rahm Emanuel, said the Attorney General's remarks added nothing to the " +
        'executive order signed weeks before, called the plan to withhold federal money from cities defending ' +
        "their values unconstitutional, and pointed to Chicago's court filing with 34 cities and counties.",
      occurredOn: day('2017-03-27'),
      actingJurisdictionId: J.chicago,
      affectedJurisdictionIds: [J.chicago],
      actors: [
        { name: 'Matt McGrath', office: 'Spokesman for the Mayor of Chicago' },
        { name: 'Rahm Emanuel', office: 'Mayor of Chicago' },
      ],
      sources: [
        article(
          "The administration's plan to deny federal funds to cities that are standing up for their values is unconstitutional",
          'Matt McGrath, spokesman for Chicago Mayor Rahm Emanuel',
        ),
      ],
    },
    [
      { relation: 'responds_to', targetId: A.grantCertification },
      { relation: 'cites', targetId: A.chicagoCourtFiling },
    ],
  ),

  // The article only links this as related coverage; the linked NBC piece supplies the facts.
  action(A.brownStatement, {
    kind: 'public_statement',
    title: "California Governor Jerry Brown warns Trump: 'You Don't Want to Mess With California'",
    summary:
      "On NBC's Meet the Press, Governor Jerry Brown answered the president's threats to use federal funding " +
      'against California over sanctuary policies: he invoked the Ninth and Tenth Amendments, said the federal ' +
      'government cannot punish the state for political reasons, and warned that harming its economy could ' +
      'bring on a national recession.',
    occurredOn: month('2017-03'),
    actingJurisdictionId: J.ca,
    affectedJurisdictionIds: [J.ca],
    actors: [{ name: 'Jerry Brown', office: 'Governor of California' }],
    sources: [
      article(),
      {
        url: 'https://www.nbcnews.com/politics/donald-trump/gov-jerry-brown-trump-you-dont-want-mess-california-n738636',
        publisher: 'NBC News',
        title: "Gov. Jerry Brown to Trump: 'You Don't Want to Mess With California'",
        publishedOn: '2017-03',
        quote: "The federal government just can't arbitrarily for political reasons punish the State of California",
        quoteAttribution: 'Jerry Brown, Governor of California, on Meet the Press',
      },
    ],
    tags: [...TAGS, 'federal-grants'],
  }),
];

/**
 * Checks the whole dataset by replaying it through the domain's deciders, in order, exactly as a
 * loader would: every command must pass the zod schemas and every rule, every referenced
 * jurisdiction must be registered above it and every relation target recorded before it.
 * Returns the problems found (empty when the dataset is sound).
 */
export function validateCuratedDataset(
  jurisdictions: readonly RegisterJurisdiction[] = curatedJurisdictions,
  actions: readonly CuratedAction[] = curatedActions,
): FieldError[] {
  const problems: FieldError[] = [];
  const registered = new Map<string, JurisdictionState>();
  const recorded = new Map<string, ActionState>();
  const describe = (path: string, error: unknown) => {
    if (!isDomainError(error)) throw error;
    const details = (error as DomainError).errors?.map((e) => ` [${e.path}: ${e.message}]`).join('') ?? '';
    problems.push({ path, message: `${error.code}: ${error.message}${details}` });
  };

  jurisdictions.forEach((command, i) => {
    const { id } = command.data;
    const parentId = resolveParentId(command);
    try {
      const events = decideJurisdiction(command, registered.get(id) ?? null, {
        parentExists: parentId !== null && registered.has(parentId),
      });
      registered.set(id, events.reduce(evolveJurisdiction, registered.get(id) ?? null));
    } catch (error) {
      describe(`jurisdictions.${i}`, error);
    }
  });

  actions.forEach(({ id, command }, i) => {
    if (command.data.actionId !== id) {
      problems.push({ path: `actions.${i}.id`, message: `id ${id} differs from the command's actionId ${command.data.actionId}` });
    }
    const refs = collectReferences(command);
    try {
      const events = decideAction(command, recorded.get(id) ?? null, {
        missingJurisdictions: refs.jurisdictionIds.filter((j) => !registered.has(j)),
        missingActions: refs.actionIds.filter((a) => !recorded.has(a)),
      });
      recorded.set(id, events.reduce(evolveAction, recorded.get(id) ?? null));
    } catch (error) {
      describe(`actions.${i}`, error);
    }
  });
  return problems;
}
