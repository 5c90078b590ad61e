"""Plugins from Python: bridge32's SDK sample, our VST2 fixture and Debian's LSP VST2 plugins,
in their 32-bit builds in a surrogate."""

import array
import os

import pytest

import bridge32
from conftest import elf_class_and_machine


def module_path(fixtures, name):
    path = os.path.join(fixtures, "x86", name)
    assert elf_class_and_machine(path) == (32, 3)
    return path


def test_an_sdk_plugin_by_parameter_name_with_state(fixtures):
    plugin = bridge32.plugin(module_path(fixtures, "b32-samples.so"),
                             "com.bridge32.samples.gain")
    assert plugin.module.format == "sdk" and plugin.module.bridged
    assert plugin.descriptor.name == "Gain"
    assert plugin["gain"] == 1.0
    plugin["gain"] = 2.0
    assert plugin["gain"] == 2.0
    plugin.activate(48000, 256)
    out = plugin.process(array.array("f", [0.25] * 64 + [-0.5] * 64), channels=2)
    assert isinstance(out, array.array) and len(out) == 128
    assert out[0] == pytest.approx(0.5) and out[127] == pytest.approx(-1.0)
    state = plugin.save_state()
    plugin["gain"] = 3.0
    plugin.load_state(state)
    assert plugin["gain"] == 2.0
    with pytest.raises(bridge32.NotFound, match="'volume'"):
        plugin["volume"]
    plugin.close()


def test_a_vst2_plugin_with_numpy_blocks_and_programs(fixtures):
    numpy = pytest.importorskip("numpy")
    plugin = bridge32.plugin(module_path(fixtures, "b32-vst2-fixture.so"))
    assert plugin.module.format == "vst2"
    assert plugin.programs == ["Unity", "Quiet", "Loud"]
    plugin.program = 2
    assert plugin.program == 2 and plugin["Gain"] == pytest.approx(0.75)
    plugin["Gain"] = 0.5  # unity
    plugin.activate(48000, 512)
    block = numpy.linspace(-1, 1, 2 * 512, dtype=numpy.float32).reshape(2, 512)
    out = plugin.process(block)
    assert isinstance(out, numpy.ndarray) and out.shape == (2, 512)
    assert numpy.allclose(out, block)
    assert plugin.latency == 32


def test_debians_lsp_compressor_in_its_32_bit_build(i386_under_qemu):
    if i386_under_qemu:
        # LSP finds its core library by its own executable mapping in /proc/self/maps, which
        # user-mode QEMU lists without the x flag: the plugin refuses to start there.
        pytest.skip("i386 code runs under user-mode QEMU here, where LSP's plugins cannot find "
                    "their core library")
    root = os.environ.get("BRIDGE32_LSP_VST")
    assert root, "BRIDGE32_LSP_VST (Debian's lsp-plugins-vst, unpacked by scripts/setup.sh)"
    path = os.path.join(root, "i386", "usr", "lib", "vst", "lsp-plugins",
                        "compressor-stereo.so")
    assert elf_class_and_machine(path) == (32, 3)
    module = bridge32.PluginModule(path)
    assert module.format == "vst2" and module.bridged and module.architecture == "x86"
    plugin = module.create()
    assert len(plugin.params) > 5
    plugin.activate(48000, 1024)
    tone = array.array("f", [0.5 if (i // 50) % 2 else -0.5 for i in range(2048)])
    out = plugin.process(tone, channels=2)
    assert len(out) == 2048 and any(abs(x) > 1e-4 for x in out)
