/** The templates every engine ships. The host system is their lower layer; they differ in kernels. */
import type { Template } from '../../contract/schemas.ts';

type Seed = Omit<Template, 'object' | 'created_at' | 'updated_at' | 'request_id'>;

const common = {
  min_resources: { vcpu: 1, memory_mb: 256, disk_gb: 1 },
  max_resources: { vcpu: 4, memory_mb: 8192, disk_gb: 20 },
  is_active: true,
  is_public: true,
  status: 'active' as const,
  build_id: null,
  organization_id: null,
  docs_url: 'https://docs.hopx.ai/templates',
};

export const BUILTIN_TEMPLATES: Seed[] = [
  {
    ...common,
    id: 'template_code-interpreter',
    name: 'code-interpreter',
    display_name: 'Code Interpreter',
    description:
      'Python in a warm Jupyter kernel with rich outputs (matplotlib, pandas), plus JavaScript and Bash.',
    category: 'code-interpreter',
    language: 'python',
    icon: 'python',
    default_resources: { vcpu: 2, memory_mb: 2048, disk_gb: 2 },
    features: ['python', 'javascript', 'bash', 'rich-output', 'jupyter', 'internet'],
    tags: ['code-execution', 'multi-language', 'data-science'],
    popularity_score: 1000,
  },
  {
    ...common,
    id: 'template_python',
    name: 'python',
    display_name: 'Python',
    description: 'Python 3 with a Jupyter kernel and the Debian scientific stack.',
    category: 'python',
    language: 'python',
    icon: 'python',
    default_resources: { vcpu: 1, memory_mb: 1024, disk_gb: 2 },
    features: ['python', 'bash', 'rich-output', 'jupyter', 'internet'],
    tags: ['python', 'data-science'],
    popularity_score: 800,
  },
  {
    ...common,
    id: 'template_nodejs',
    name: 'nodejs',
    display_name: 'Node.js',
    description: 'Node.js for JavaScript, with Bash.',
    category: 'nodejs',
    language: 'javascript',
    icon: 'nodejs',
    default_resources: { vcpu: 1, memory_mb: 1024, disk_gb: 2 },
    features: ['javascript', 'bash', 'internet'],
    tags: ['javascript', 'node'],
    popularity_score: 600,
  },
  {
    ...common,
    id: 'template_ubuntu',
    name: 'ubuntu',
    display_name: 'Ubuntu shell',
    description: 'A plain Linux shell: Bash and the host tools.',
    category: 'ubuntu',
    language: 'bash',
    icon: 'terminal',
    default_resources: { vcpu: 1, memory_mb: 512, disk_gb: 1 },
    features: ['bash', 'internet'],
    tags: ['shell', 'linux'],
    popularity_score: 400,
  },
];

/** Templates whose sandboxes start their Python kernel at boot. */
export function warmsPython(t: Pick<Template, 'features'>): boolean {
  return t.features.includes('jupyter');
}
