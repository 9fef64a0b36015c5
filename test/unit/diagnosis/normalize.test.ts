import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  inferType,
  MAX_MESSAGE,
  normalizeMessage,
  normalizeReason,
} from '../../../src/diagnosis/normalize.js';

describe('normalizeMessage', () => {
  it('strips the "(combined from similar events): " prefix', () => {
    assert.equal(
      normalizeMessage('(combined from similar events): MountVolume.SetUp failed').text,
      'MountVolume.SetUp failed',
    );
  });

  it('strips every gRPC wrapper and keeps the first code (kubelet before ~1.30)', () => {
    const n = normalizeMessage(
      'Failed to pull image "a": rpc error: code = NotFound desc = x: rpc error: code = Unknown desc = y',
    );
    assert.equal(n.text, 'Failed to pull image "a": x: y');
    assert.equal(n.rpcCode, 'NotFound');
    assert.equal(normalizeMessage('no wrapper').rpcCode, undefined);
  });

  it('collapses the old double period but leaves paths alone', () => {
    assert.equal(
      normalizeMessage('0/1 nodes are available: 1 Insufficient cpu..').text,
      '0/1 nodes are available: 1 Insufficient cpu.',
    );
    assert.equal(normalizeMessage('preemption: 0/3 nodes.. next').text, 'preemption: 0/3 nodes. next');
    assert.equal(normalizeMessage('cp ../x ./y').text, 'cp ../x ./y');
  });

  it('recognises the API server cut at 1024 characters', () => {
    const raw = `${'x'.repeat(1020)} ...`;
    const n = normalizeMessage(raw);
    assert.equal(n.truncated, true);
    assert.equal(n.text, 'x'.repeat(1020));
  });

  it('bounds huge messages and accepts non-strings', () => {
    assert.equal(normalizeMessage('y'.repeat(MAX_MESSAGE * 10)).text.length, MAX_MESSAGE);
    assert.equal(normalizeMessage(undefined).text, '');
    assert.equal(normalizeMessage(42).text, '42');
  });
});

describe('normalizeMessage: envelopes around the real cause', () => {
  it('unwraps the kubelet FailedSync wrapper and keeps its inner reason and quoting undone', () => {
    const n = normalizeMessage(
      'Error syncing pod, skipping: failed to "StartContainer" for "notebook" with ErrImagePull: "rpc error: code = 2 desc = Error response from daemon: {\\"message\\":\\"x509: certificate signed by unknown authority\\"}"',
    );
    assert.equal(n.innerReason, 'ErrImagePull');
    assert.equal(
      n.text,
      'Error response from daemon: {"message":"x509: certificate signed by unknown authority"}',
    );
    assert.equal(n.rpcCode, '2');
    const bare = normalizeMessage('Error syncing pod, skipping: configmaps "nb-env" not found');
    assert.equal(bare.innerReason, '');
    assert.equal(bare.text, 'configmaps "nb-env" not found');
    assert.equal(normalizeMessage('Error syncing pod').innerReason, undefined);
  });

  it("strips Kubeflow's re-issued prefix and a gRPC wrapper broken over lines", () => {
    assert.equal(
      normalizeMessage('Reissued from pod/nb-0: Multi-Attach error for volume "v" Volume is already used')
        .text,
      'Multi-Attach error for volume "v" Volume is already used',
    );
    const n = normalizeMessage('Failed to create pod sandbox: rpc\nerror: code = Unknown desc = cni failed');
    assert.equal(n.text, 'Failed to create pod sandbox: cni failed');
    assert.equal(n.rpcCode, 'Unknown');
  });
});

describe('normalizeMessage: what people paste', () => {
  it("reads the hub's event log: a timestamp and [Warning] / [Normal] before the message", () => {
    const n = normalizeMessage(
      '2019-03-06 17:49:34+00:00 [Warning] 0/3 nodes are available: 3 Insufficient memory.',
    );
    assert.equal(n.type, 'Warning');
    assert.equal(n.text, '0/3 nodes are available: 3 Insufficient memory.');
    assert.equal(normalizeMessage('2022-10-17T14:24:05.810775Z [Normal] Pulling image "x"').type, 'Normal');
  });

  it('reads a kubectl describe or get-events row: type, reason, age with (xN over …), source', () => {
    const n = normalizeMessage(
      'Warning  FailedMount  59s (x2 over 3m)  kubelet, node-1  MountVolume.SetUp failed for volume "home" : boom',
    );
    assert.deepEqual(
      { type: n.type, reason: n.reason, text: n.text },
      { type: 'Warning', reason: 'FailedMount', text: 'MountVolume.SetUp failed for volume "home" : boom' },
    );
    const bare = normalizeMessage('Warning DNSConfigForming kubelet Nameserver limits were exceeded');
    assert.equal(bare.reason, 'DNSConfigForming');
    assert.equal(bare.text, 'Nameserver limits were exceeded');
  });

  it('drops an old SubObjectPath column, a status word or a source in front, and (repeated N times)', () => {
    assert.equal(normalizeMessage('spec.containers{notebook}  pulling image "x"').text, 'pulling image "x"');
    const status = normalizeMessage('CreateContainerConfigError Error: secret "s" not found');
    assert.equal(status.reason, 'CreateContainerConfigError');
    assert.equal(status.text, 'Error: secret "s" not found');
    assert.equal(normalizeMessage('kubelet Error: secret "s" not found').text, 'Error: secret "s" not found');
    assert.equal(
      normalizeMessage('[Warning] pod has unbound immediate PersistentVolumeClaims (repeated 4 times)').text,
      'pod has unbound immediate PersistentVolumeClaims',
    );
  });

  it('undoes typographic quotes, markdown bold and klog prefixes', () => {
    assert.equal(
      normalizeMessage('Multi-Attach error for volume “pvc-1” Volume can’t be attached').text,
      'Multi-Attach error for volume "pvc-1" Volume can\'t be attached',
    );
    assert.equal(normalizeMessage('F**ailed to pull image "a": x**').text, 'Failed to pull image "a": x');
    assert.equal(
      normalizeMessage('dns.go:135] Nameserver limits were exceeded').text,
      'Nameserver limits were exceeded',
    );
  });

  it('leaves ordinary messages as they are', () => {
    for (const m of [
      'Successfully assigned jhub/jupyter-a to node-1',
      'Normalising the config',
      'Warning: the volume is read-only',
      'Back-off restarting failed container notebook in pod jupyter-a_jhub(1)',
    ])
      assert.equal(normalizeMessage(m).text, m);
  });
});

describe('normalizeReason and inferType', () => {
  it('capitalises the lower-case reasons of 1.0-era kubelets', () => {
    assert.equal(normalizeReason('failedScheduling'), 'FailedScheduling');
    assert.equal(normalizeReason('pulling'), 'Pulling');
    assert.equal(normalizeReason('BackOff'), 'BackOff');
    assert.equal(normalizeReason(''), '');
    // OpenShift 3's console shows reasons in words.
    assert.equal(normalizeReason('Failed Mount'), 'FailedMount');
    assert.equal(normalizeReason('Back Off'), 'BackOff');
  });

  it('tells a pasted Normal line from a Warning by its reason, else by its wording', () => {
    assert.equal(inferType('Pulled', 'Successfully pulled image "x"'), 'Normal');
    assert.equal(inferType('FailedMount', 'anything'), 'Warning');
    assert.equal(inferType('', 'Successfully assigned a/b to c'), 'Normal');
    assert.equal(inferType('', 'create Pod x in StatefulSet y failed error: boom'), 'Warning');
    assert.equal(inferType('', 'Error syncing pod'), 'Warning');
  });
});
