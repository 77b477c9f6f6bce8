import { checkPenpotContract } from '../../lib/checks/penpot';
import { edit, main, mo, penpotObjects, setEnv, without } from './fixtures';

/** Findings of one Penpot rule after `change` to the named workload of the valid install. */
function breakWorkload(component: string, change: (doc: any) => void, objects = penpotObjects()) {
  return checkPenpotContract(edit(objects, 'Deployment', `penpot-${component}`, change));
}

const summary = (findings: ReturnType<typeof checkPenpotContract>) => findings.map((f) => [f.check, f.object, f.field]);

describe('checkPenpotContract', () => {
  it('reports nothing for the minimal valid install', () => {
    expect(checkPenpotContract(penpotObjects())).toEqual([]);
  });

  it('ignores namespaces without Penpot workloads', () => {
    expect(checkPenpotContract([mo({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', namespace: 'y' }, spec: {} })])).toEqual([]);
  });
});

describe('penpot/components', () => {
  it('reports a namespace missing a component', () => {
    const findings = checkPenpotContract(without(penpotObjects(), 'Deployment', 'penpot-exporter')).filter((f) => f.check === 'penpot/components');
    expect(findings.length).toBe(1);
    expect(findings[0].message).toMatch(/no exporter workload/);
  });
});

describe('penpot/public-uri', () => {
  it('reports a component whose PENPOT_PUBLIC_URI differs from the backend', () => {
    const findings = breakWorkload('exporter', (d) => setEnv(main(d), 'PENPOT_PUBLIC_URI', 'https://penpot.example.org'));
    expect(summary(findings)).toEqual([['penpot/public-uri', 'Deployment penpot/penpot-exporter', 'spec.template.spec.containers[0].env[2].value']]);
    expect(findings[0].message).toMatch(/differs from the backend's 'https:\/\/penpot\.example\.com'/);
  });

  it('reports a trailing slash, a path or a missing scheme', () => {
    for (const uri of ['https://penpot.example.com/', 'https://penpot.example.com/app', 'penpot.example.com', 'https://Penpot.example.com']) {
      const findings = breakWorkload('frontend', (d) => setEnv(main(d), 'PENPOT_PUBLIC_URI', uri));
      expect(findings.map((f) => [f.check, f.object])).toEqual([['penpot/public-uri', 'Deployment penpot/penpot-frontend']]);
    }
  });

  it('accepts http with a port on all three components', () => {
    let objects = penpotObjects();
    for (const c of ['frontend', 'backend', 'exporter']) {
      objects = edit(objects, 'Deployment', `penpot-${c}`, (d) => setEnv(main(d), 'PENPOT_PUBLIC_URI', 'http://192.168.1.10:9001'));
    }
    expect(checkPenpotContract(objects)).toEqual([]);
  });

  it('reports an unset PENPOT_PUBLIC_URI', () => {
    expect(summary(breakWorkload('backend', (d) => setEnv(main(d), 'PENPOT_PUBLIC_URI', undefined)))).toEqual([
      ['penpot/public-uri', 'Deployment penpot/penpot-backend', 'spec.template.spec.containers[0].env'],
    ]);
  });
});

describe('penpot/secret-key', () => {
  it('reports an exporter reading the secret key from another Secret key', () => {
    const findings = breakWorkload('exporter', (d) => { main(d).env[1].valueFrom.secretKeyRef.key = 'other'; });
    expect(summary(findings)).toEqual([['penpot/secret-key', 'Deployment penpot/penpot-exporter', 'spec.template.spec.containers[0].env[1].valueFrom.secretKeyRef']]);
  });

  it('reports a literal PENPOT_SECRET_KEY', () => {
    const findings = breakWorkload('backend', (d) => setEnv(main(d), 'PENPOT_SECRET_KEY', 'changeme'));
    expect(findings.map((f) => [f.check, f.object])).toEqual([['penpot/secret-key', 'Deployment penpot/penpot-backend']]);
    expect(findings[0].message).toMatch(/literal/);
  });

  it('reports an exporter without PENPOT_SECRET_KEY', () => {
    expect(breakWorkload('exporter', (d) => setEnv(main(d), 'PENPOT_SECRET_KEY', undefined)).map((f) => f.check)).toEqual(['penpot/secret-key']);
  });
});

describe('penpot/assets-volume', () => {
  it('reports a frontend that does not mount the assets volume', () => {
    const findings = breakWorkload('frontend', (d) => { delete main(d).volumeMounts; });
    expect(summary(findings)).toEqual([['penpot/assets-volume', 'Deployment penpot/penpot-frontend', 'spec.template.spec.containers[0].volumeMounts']]);
  });

  it('reports frontend and backend mounting different PVCs', () => {
    const findings = breakWorkload('frontend', (d) => { d.spec.template.spec.volumes[0].persistentVolumeClaim.claimName = 'frontend-assets'; });
    expect(findings.map((f) => [f.check, f.object])).toEqual([['penpot/assets-volume', 'Deployment penpot/penpot-frontend']]);
    expect(findings[0].message).toMatch(/'frontend-assets'.*'penpot-assets'/);
  });

  it('reports an assets mount backed by an emptyDir', () => {
    const findings = breakWorkload('backend', (d) => { d.spec.template.spec.volumes[0] = { name: 'assets', emptyDir: {} }; });
    expect(findings.map((f) => f.message)).toEqual([expect.stringMatching(/not a PersistentVolumeClaim/)]);
  });

  it('reports a backend storage directory other than /opt/data/assets and deprecated variable names', () => {
    const findings = breakWorkload('backend', (d) => {
      setEnv(main(d), 'PENPOT_OBJECTS_STORAGE_FS_DIRECTORY', '/data/assets');
      setEnv(main(d), 'PENPOT_STORAGE_ASSETS_FS_DIRECTORY', '/opt/data/assets');
    });
    expect(findings.map((f) => f.check)).toEqual(['penpot/assets-volume', 'penpot/assets-volume']);
    expect(findings.map((f) => f.message).join('\n')).toMatch(/deprecated PENPOT_STORAGE_ASSETS_FS_DIRECTORY[\s\S]*'\/data\/assets'/);
  });

  it('skips the shared volume when the backend stores objects in S3', () => {
    let objects = edit(penpotObjects(), 'Deployment', 'penpot-backend', (d) => {
      setEnv(main(d), 'PENPOT_OBJECTS_STORAGE_BACKEND', 's3');
      setEnv(main(d), 'PENPOT_OBJECTS_STORAGE_FS_DIRECTORY', undefined);
      delete main(d).volumeMounts;
    });
    objects = edit(objects, 'Deployment', 'penpot-frontend', (d) => { delete main(d).volumeMounts; });
    expect(checkPenpotContract(objects)).toEqual([]);
  });
});

describe('penpot/assets-writable', () => {
  it('reports a backend without fsGroup 1001', () => {
    const findings = breakWorkload('backend', (d) => { delete d.spec.template.spec.securityContext.fsGroup; });
    expect(summary(findings)).toEqual([['penpot/assets-writable', 'Deployment penpot/penpot-backend', 'spec.template.spec.securityContext.fsGroup']]);
  });

  it('reports a frontend container running as another user', () => {
    const findings = breakWorkload('frontend', (d) => { main(d).securityContext = { runAsUser: 101 }; });
    expect(summary(findings)).toEqual([['penpot/assets-writable', 'Deployment penpot/penpot-frontend', 'spec.template.spec.containers[0].securityContext.runAsUser']]);
  });
});

describe('penpot/internal-uris', () => {
  it('reports a PENPOT_BACKEND_URI naming a Service that does not exist', () => {
    const findings = breakWorkload('frontend', (d) => setEnv(main(d), 'PENPOT_BACKEND_URI', 'http://backend:6060'));
    expect(summary(findings)).toEqual([['penpot/internal-uris', 'Deployment penpot/penpot-frontend', 'spec.template.spec.containers[0].env[3].value']]);
    expect(findings[0].message).toMatch(/Service 'backend'/);
  });

  it('reports a port the Service does not declare', () => {
    const findings = breakWorkload('frontend', (d) => setEnv(main(d), 'PENPOT_EXPORTER_URI', 'http://penpot-exporter:80'));
    expect(findings.map((f) => f.message)).toEqual([expect.stringMatching(/port 80/)]);
  });

  it('reports a URI that is not http://service[.namespace...]:port', () => {
    const findings = breakWorkload('frontend', (d) => setEnv(main(d), 'PENPOT_BACKEND_URI', 'http://penpot-backend:6060/'));
    expect(findings.map((f) => f.check)).toEqual(['penpot/internal-uris']);
  });

  it('applies the upstream defaults when the frontend leaves the URIs unset', () => {
    const unset = edit(penpotObjects(), 'Deployment', 'penpot-frontend', (d) => {
      setEnv(main(d), 'PENPOT_BACKEND_URI', undefined);
      setEnv(main(d), 'PENPOT_EXPORTER_URI', undefined);
    });
    expect(checkPenpotContract(unset)).toEqual([]);
    const renamed = edit(unset, 'Service', 'penpot-exporter', (d) => { d.metadata.name = 'exporter'; });
    const findings = checkPenpotContract(renamed);
    expect(summary(findings)).toEqual([['penpot/internal-uris', 'Deployment penpot/penpot-frontend', 'spec.template.spec.containers[0].env']]);
    expect(findings[0].message).toMatch(/default http:\/\/penpot-exporter:6061/);
  });

  it('checks the MCP defaults only when the frontend enables mcp', () => {
    expect(breakWorkload('frontend', (d) => setEnv(main(d), 'PENPOT_FLAGS', 'enable-mcp')).map((f) => f.message)).toEqual([
      expect.stringMatching(/PENPOT_MCP_URI unset.*penpot-mcp:4401/),
      expect.stringMatching(/PENPOT_MCP_URI_WS unset.*penpot-mcp:4402/),
    ]);
  });

  it('reports an exporter PENPOT_INTERNAL_URI that reaches a Service not selecting the frontend', () => {
    const findings = breakWorkload('exporter', (d) => setEnv(main(d), 'PENPOT_INTERNAL_URI', 'http://penpot-backend.penpot.svc:6060'));
    expect(summary(findings)).toEqual([['penpot/internal-uris', 'Deployment penpot/penpot-exporter', 'spec.template.spec.containers[0].env[2].value']]);
    expect(findings[0].message).toMatch(/does not select the Penpot frontend/);
  });

  it('reports an exporter without PENPOT_INTERNAL_URI', () => {
    expect(breakWorkload('exporter', (d) => setEnv(main(d), 'PENPOT_INTERNAL_URI', undefined)).map((f) => f.check)).toEqual(['penpot/internal-uris']);
  });

  it('reports a Service whose target port is missing on the selected pods', () => {
    const objects = edit(penpotObjects(), 'Service', 'penpot-backend', (d) => { d.spec.ports[0].targetPort = 'api'; });
    expect(checkPenpotContract(objects).map((f) => f.message)).toEqual([expect.stringMatching(/target port 'api'/)]);
  });
});
