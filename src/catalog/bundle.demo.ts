/**
 * The demo project's bundles (first start only): an LLM inference app (a GPU model server plus a chat
 * UI, tuned through variables) and an edge GPU cluster profile for dedicated compute pools.
 */
import { BundleType, VariableType, WorkloadProfileType } from './bundle.model.js';
import type { CreateBundleInput } from './bundle.service.js';

export function demoBundles(projectId: string): CreateBundleInput[] {
  return [
    {
      projectId,
      name: 'llm-inference',
      type: BundleType.APPLICATION,
      description: 'vLLM serving an open-weights model on one GPU, with Open WebUI in front',
      variables: [
        { name: 'model', type: VariableType.STRING, default: 'meta-llama/Llama-3.1-8B-Instruct', description: 'Hugging Face model id' },
        { name: 'maxModelLen', type: VariableType.INT32, default: 8192, description: 'Context length' },
        { name: 'replicas', type: VariableType.INT32, default: 1 },
        { name: 'gpuMemoryUtilization', type: VariableType.FLOAT32, default: 0.9, locked: true, description: 'Fixed by the platform team' },
        { name: 'uiTitle', type: VariableType.STRING, default: 'Demo chat', description: 'Shown in the chat UI' },
      ],
      workloadProfiles: [
        {
          name: 'inference',
          type: WorkloadProfileType.MODEL,
          description: 'OpenAI-compatible model server',
          components: [
            {
              name: 'vllm',
              chart: { repository: 'https://vllm-project.github.io/production-stack', chart: 'vllm-stack', version: '0.1.7' },
              values: {
                servingEngineSpec: {
                  modelSpec: [
                    {
                      name: 'llm',
                      modelURL: '{{ .var.model }}',
                      replicaCount: '{{ .var.replicas }}',
                      requestGPU: 1,
                      vllmConfig: { maxModelLen: '{{ .var.maxModelLen }}', gpuMemoryUtilization: '{{ .var.gpuMemoryUtilization }}' },
                    },
                  ],
                },
              },
              gpu: { family: 'NVIDIA-H100', count: 1 },
              expose: { port: 8000, path: '/v1' },
            },
          ],
        },
        {
          name: 'chat-ui',
          type: WorkloadProfileType.APPLICATION,
          components: [
            {
              name: 'open-webui',
              chart: { repository: 'https://helm.openwebui.com', chart: 'open-webui', version: '5.20.0' },
              values: {
                ollama: { enabled: false },
                openaiBaseApiUrl: 'http://vllm-router-service/v1',
                extraEnvVars: [
                  { name: 'DEFAULT_MODELS', value: '{{ .var.model }}' },
                  { name: 'WEBUI_NAME', value: '{{ .var.uiTitle }} ({{ .var.model }})' },
                ],
              },
              expose: { port: 8080, path: '/' },
            },
          ],
        },
      ],
    },
    {
      projectId,
      name: 'edge-gpu-cluster',
      type: BundleType.INFRASTRUCTURE,
      description: 'Kubernetes with Calico, Longhorn and the NVIDIA GPU operator for bare-metal GPU hosts',
      clusterProfile: { kubernetesVersion: '1.31.4', cni: 'calico', csi: 'longhorn', addons: [{ name: 'metallb', version: '0.14.9' }] },
      variables: [{ name: 'driverVersion', type: VariableType.STRING, default: '550.127.08' }],
      workloadProfiles: [
        {
          name: 'gpu-operator',
          type: WorkloadProfileType.INFRASTRUCTURE,
          components: [
            {
              name: 'gpu-operator',
              chart: { repository: 'https://helm.ngc.nvidia.com/nvidia', chart: 'gpu-operator', version: 'v24.9.1' },
              values: { driver: { enabled: true, version: '{{ .var.driverVersion }}' }, toolkit: { enabled: true } },
            },
          ],
        },
      ],
    },
  ];
}
