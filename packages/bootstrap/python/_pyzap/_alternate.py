"""pyzap: run something other than the bundle's entry point, without rebuilding.

    PYZAP_INTERPRETER=1        a Python that sees the bundle's packages: a REPL
                               with no arguments, else `-c CODE`, `-m MODULE`,
                               `SCRIPT` or `-` (stdin) and their arguments,
                               as `python` takes them
    PYZAP_SCRIPT=NAME          another console script of a bundled distribution
    PYZAP_MODULE=MOD[:FUNC]    a module run as __main__, or a function called
                               like a console script

(shiv: SHIV_INTERPRETER, SHIV_CONSOLE_SCRIPT, SHIV_ENTRY_POINT; pex:
PEX_INTERPRETER, PEX_SCRIPT, PEX_MODULE.) Imported only when one of them is
set. They are taken out of the environment before anything runs, so a copy of
the bundle that the program starts runs its entry point, not the REPL again.
"""
import os
import sys

USAGE = 2
NAMES = ('PYZAP_INTERPRETER', 'PYZAP_SCRIPT', 'PYZAP_MODULE')


def requested():
    """The variables that ask for something else ('0' and '' do not)."""
    return [n for n in NAMES if os.environ.get(n, '') not in ('', '0')]


def run(run_entry):
    """Run what the variables ask for. `run_entry('module[:attr]')` runs an entry point."""
    asked = requested()
    values = dict((n, os.environ.get(n, '')) for n in asked)
    for name in NAMES:
        os.environ.pop(name, None)
    if len(asked) > 1:
        _fail('set only one of %s, not %s' % (', '.join(NAMES), ' and '.join(asked)))
    name = asked[0]
    if name == 'PYZAP_INTERPRETER':
        return interpreter(sys.argv[1:])
    if name == 'PYZAP_SCRIPT':
        return run_entry(console_script(values[name].strip()))
    target = values[name].strip()
    module, _, attrs = target.partition(':')
    if not module or not all(_is_dotted(part) for part in (module,) + ((attrs,) if attrs else ())):
        _fail('PYZAP_MODULE=%s is not MODULE or MODULE:FUNCTION, e.g. PYZAP_MODULE=json.tool' % target)
    return run_entry(target)


def console_script(name):
    """'module:attr' of the bundled console script `name`; exit 2 naming the ones there are."""
    try:
        from importlib import metadata
    except ImportError:  # 3.7: no importlib.metadata
        _fail('PYZAP_SCRIPT needs Python 3.8 or newer; use PYZAP_MODULE=MODULE:FUNCTION')
    found = metadata.entry_points()
    scripts = found.select(group='console_scripts') if hasattr(found, 'select') else found.get('console_scripts', ())
    by_name = {}
    for ep in scripts:
        by_name.setdefault(ep.name, ep.value)
    if name in by_name:
        return by_name[name].split('[', 1)[0].replace(' ', '')  # 'mod:attr [extra]' -> 'mod:attr'
    have = ', '.join(sorted(by_name)) or 'none'
    _fail('PYZAP_SCRIPT=%s: the bundle has no console script of that name; it has: %s' % (name, have))


def interpreter(args):
    """Behave like `python ARGS` with the bundle's packages on sys.path."""
    import runpy
    main = _fresh_main()
    if not args:
        sys.argv[:] = ['']
        return _repl(main)
    first = args[0]
    if first == '-c':
        if len(args) < 2:
            _fail('PYZAP_INTERPRETER: -c needs the code to run, e.g. -c "import mypkg"')
        sys.argv[:] = ['-c'] + args[2:]
        exec(compile(args[1], '<string>', 'exec'), main.__dict__)
    elif first == '-m':
        if len(args) < 2:
            _fail('PYZAP_INTERPRETER: -m needs a module name, e.g. -m json.tool')
        sys.argv[:] = [args[1]] + args[2:]
        runpy.run_module(args[1], run_name='__main__', alter_sys=True)
    elif first == '-':
        sys.argv[:] = ['-'] + args[1:]
        exec(compile(sys.stdin.read(), '<stdin>', 'exec'), main.__dict__)
    elif first.startswith('-'):
        _fail('PYZAP_INTERPRETER takes -c CODE, -m MODULE, - or a script path, not %s; '
              'interpreter options go in PYTHON* variables' % first)
    else:
        sys.argv[:] = list(args)
        runpy.run_path(first, run_name='__main__')


def _fresh_main():
    """A new, empty __main__ module, as `python` gives `-c` code and the REPL."""
    module = type(sys)('__main__')
    module.__dict__['__builtins__'] = __builtins__
    sys.modules['__main__'] = module
    return module


def _repl(main):
    """The interactive console, with line editing and completion when readline exists."""
    import code
    try:
        import readline
        import rlcompleter  # noqa: F401 - registers the completer
        readline.parse_and_bind('tab: complete')
    except ImportError:
        pass
    banner = 'Python %s on %s\n(pyzap: the packages of %s)' % (
        sys.version.split()[0], sys.platform, os.environ.get('PYZAP_ARCHIVE', 'this bundle'))
    code.interact(banner=banner, local=main.__dict__, exitmsg='')


def _is_dotted(text):
    return all(part.isidentifier() for part in text.split('.'))


def _fail(message):
    sys.stderr.write('pyzap: %s\n' % message)
    sys.exit(USAGE)
