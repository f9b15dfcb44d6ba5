"""mclust 6.0.0's Fortran ``hcvvv`` transliterated for numba (used by :mod:`.hc`).

Not an API: :func:`hcvvv` takes Fortran's 1-based arrays. The code follows
``src/mclust.f`` (``hcvvv``, ``mclrup``, ``vvvtij``, ``det2mc``, ``wardsw``) and reference
BLAS 3.11's ``drotg`` operation for operation, split into functions of at most a screen
(mclust's labels 110-900 are named where they are), so that the floating-point results,
and with them the ties, are R's. Compiled with numba on first use (cached on disk).
"""

from __future__ import annotations

import math

import numpy as np

_FLMAX = 1.7976931348623157e308
_EPSMAX = 2.2204460492503131e-16
_RTHALF = 0.7071067811865476
_SAFMIN = 2.0 ** -1022
_SAFMAX = 2.0 ** 1023


__all__ = ["hcvvv"]

_COMPILED = False
_KERNELS = ("_drotg", "_rot", "_mclrup", "_det2mc", "_vvvtij", "_ddot", "_wardsw", "_copy_row",
            "_copy_factor", "_axpy_pair", "_read_rows", "_rotate_rows", "_heads_first",
            "_simulate_groups", "_cost_pair", "_cost_with_new", "_keep", "_first_pass",
            "_merge", "_update_pass", "_smallest", "_chain_size", "_next_best", "_pairs_out",
            "_hcvvv")


def _compile():
    """Jit the kernels below with numba on first use (importing numba costs ~0.4 s)."""
    global _COMPILED
    if not _COMPILED:
        from numba import njit

        g = globals()
        for name in _KERNELS:
            g[name] = njit(cache=True)(g[name])
        _COMPILED = True


# ---------------------------------------------------------------------------------------
# Kernels: a line-by-line transliteration of mclust 6.0.0's Fortran (src/mclust.f:
# hcvvv, mclrup, vvvtij, det2mc, wardsw) and of reference BLAS 3.11's drotg. Arrays are
# 1-based as in Fortran (row / column 0 unused) so that the code reads against the source.
# ---------------------------------------------------------------------------------------


def _drotg(a, b):
    """Reference BLAS 3.11 ``drotg``: returns (a, b, c, s) as it leaves them."""
    anorm = abs(a)
    bnorm = abs(b)
    if bnorm == 0.0:
        return a, 0.0, 1.0, 0.0
    if anorm == 0.0:
        return b, 1.0, 0.0, 1.0
    scl = min(_SAFMAX, max(_SAFMIN, anorm, bnorm))
    if anorm > bnorm:
        sigma = math.copysign(1.0, a)
    else:
        sigma = math.copysign(1.0, b)
    r = sigma * (scl * math.sqrt((a / scl) ** 2 + (b / scl) ** 2))
    c = a / r
    s = b / r
    if anorm > bnorm:
        z = s
    elif c != 0.0:
        z = 1.0 / c
    else:
        z = 1.0
    return r, z, c, s


def _rot(r, ro, co, i, k, j, m, c, s):
    """``drot`` of rows i and k of the sub-block, columns j .. j + m - 1."""
    for t in range(m):
        xi = r[ro + i - 1, co + j - 1 + t]
        yk = r[ro + k - 1, co + j - 1 + t]
        r[ro + i - 1, co + j - 1 + t] = c * xi + s * yk
        r[ro + k - 1, co + j - 1 + t] = c * yk - s * xi


def _mclrup(l, n, v, r, ro, co):
    """mclust's ``mclrup``: add the row ``v(1..n)`` to the triangular factor held in the
    sub-block ``r(ro.., co..)`` (``l`` observations including the new one)."""
    if l == 1:
        return
    k = l - 1
    if k <= n:
        for t in range(1, n + 1):
            r[ro + k - 1, co + t - 1] = v[t]
        if k == 1:
            return
        if n > 1:
            i = 1
            m = n
            for j in range(2, k + 1):
                a, b, c, s = _drotg(r[ro + i - 1, co + i - 1], r[ro + k - 1, co + i - 1])
                r[ro + i - 1, co + i - 1] = a
                r[ro + k - 1, co + i - 1] = b
                m = m - 1
                _rot(r, ro, co, i, k, j, m, c, s)
                i = j
        else:
            a, b, c, s = _drotg(r[ro, co], r[ro + k - 1, co])
            r[ro, co] = a
            r[ro + k - 1, co] = b
        return
    if n > 1:
        i = 1
        m = n
        for j in range(2, n + 1):
            a, b, c, s = _drotg(r[ro + i - 1, co + i - 1], v[i])
            r[ro + i - 1, co + i - 1] = a
            v[i] = b
            m = m - 1
            for t in range(m):
                xi = r[ro + i - 1, co + j - 1 + t]
                yv = v[j + t]
                r[ro + i - 1, co + j - 1 + t] = c * xi + s * yv
                v[j + t] = c * yv - s * xi
            i = j
    a, b, c, s = _drotg(r[ro + n - 1, co + n - 1], v[n])
    r[ro + n - 1, co + n - 1] = a
    v[n] = b


def _det2mc(p, u, s):
    """``det2mc``: log det of (s R)'(s R) from the diagonal of the factor R."""
    det = 0.0
    for k in range(1, p + 1):
        q = u[k, k] * s
        if abs(q) <= 0.0:
            return -_FLMAX
        det = det + math.log(abs(q))
    return 2.0 * det


def _vvvtij(l, p, r, s, trac, alpha, beta):
    """``vvvtij``: the regularised VVV term of a group of ``l`` points."""
    if l <= p:
        val = math.log(beta * (trac + alpha) / l)
    elif trac == 0.0:
        val = math.log((alpha * beta) / l)
    else:
        detlog = _det2mc(p, r, s)
        if detlog == -_FLMAX:
            val = math.log(beta * (trac + alpha) / l)
        elif detlog <= 0.0:
            val = math.log(math.exp(detlog) + beta * (trac + alpha) / l)
        else:
            val = math.log(1.0 + math.exp(-detlog) * (beta * (trac + alpha) / l)) + detlog
    return l * val


def _ddot(p, a, b):
    t = 0.0
    for k in range(1, p + 1):
        t = t + a[k] * b[k]
    return t


def _wardsw(i, n, d):
    """``wardsw``: move group n's costs to group i's places in the packed table."""
    i1 = i - 1
    ii = (i1 * (i1 - 1)) // 2 + 1
    n1 = n - 1
    nn = (n1 * (n1 - 1)) // 2 + 1
    for t in range(i1):
        tmp = d[nn + t]
        d[nn + t] = d[ii + t]
        d[ii + t] = tmp
    ii = ii + i1 + i1
    nn = nn + i
    if n1 == i:
        return
    k = i
    while True:
        tmp = d[ii]
        d[ii] = d[nn]
        d[nn] = tmp
        ii = ii + k
        nn = nn + 1
        k = k + 1
        if not (k < n1):
            break


def _copy_row(m, src, sr, sc, dst, dr, dc):
    for t in range(m):
        dst[dr, dc + t] = src[sr, sc + t]


def _copy_factor(nrow, p, src, dst):
    """Rows 1..nrow of a triangular factor, each from its diagonal on."""
    m = p
    for k in range(1, nrow + 1):
        _copy_row(m, src, k, k, dst, k, k)
        m = m - 1


def _axpy_pair(x, i, j, a, b, v, p):
    """v = a x_i - b x_j, in mclust's order (dcopy, dscal, daxpy)."""
    for t in range(1, p + 1):
        v[t] = a * x[i, t]
    for t in range(1, p + 1):
        v[t] = v[t] + (-b) * x[j, t]


def _read_rows(x, ic, n, p, l, dst):
    """Copy a group's stored factor rows (its chain from row ``l``) into ``dst``; returns
    the group's size (loops 110, 120, 610, 620)."""
    ni = 1
    m = p
    while True:
        _copy_row(m, x, l, ni, dst, ni, ni)
        ni = ni + 1
        m = m - 1
        l = ic[l]
        if not (l <= n):
            break
    return l - n


def _rotate_rows(x, ic, n, p, l, u, v, k, step):
    """Rotate a group's stored rows into the factor ``u``, each into the sub-block at its
    diagonal (loops 130 and 630: ``k`` fixed; 310 and 410: ``k`` grows); returns the size."""
    ni = 1
    m = p
    while True:
        for t in range(1, m + 1):
            v[t] = x[l, ni + t - 1]
        _mclrup(k, m, v, u, ni, ni)
        k = k + step
        ni = ni + 1
        m = m - 1
        l = ic[l]
        if not (l <= n):
            break
    return l - n


def _heads_first(x, ic, n, p, ng):
    """Put each group's first row among the first ``ng`` rows and chain the others."""
    i = 1
    j = 2
    while True:
        icj = ic[j]
        if icj != j:
            k = i
            for jj in range(j + 1, n + 1):
                icj = ic[jj]
                if icj > k:
                    k = k + 1
                    for t in range(1, p + 1):
                        tmp = x[k, t]
                        x[k, t] = x[jj, t]
                        x[jj, t] = tmp
                    ic[jj] = ic[k]
                    ic[k] = icj
            break
        if j == ng:
            break
        i = j
        j = j + 1
    if ng != n:
        for jj in range(n, ng, -1):
            icj = ic[jj]
            i = ic[icj]
            ic[icj] = jj
            if i != icj:
                ic[jj] = i
            else:
                ic[jj] = jj


def _simulate_groups(x, ic, n, p, ng, r, v, alpha, beta):
    """Starting groups of several rows: their sums, factors, traces and terms, as if
    agglomerated one row at a time."""
    pp1 = p + 1
    for k in range(1, ng + 1):
        j = ic[k]
        if j == k:
            ic[k] = 1
            continue
        r[:, :] = 0.0
        trcij = 0.0
        sj = 1.0
        l = 1
        while True:
            m = l + 1
            qj = 1.0 / m
            qi = l * qj
            si = math.sqrt(qi)
            sj = math.sqrt(qj)
            _axpy_pair(x, j, k, si, sj, v, p)
            trcij = trcij + _ddot(p, v, v)
            for t in range(1, p + 1):
                x[k, t] = si * x[k, t]
            for t in range(1, p + 1):
                x[k, t] = x[k, t] + sj * x[j, t]
            _mclrup(m, p, v, r, 1, 1)
            l = m
            i = ic[j]
            if i == j:
                break
            j = i
        j = k
        m = p
        for i in range(1, min(l - 1, p) + 1):
            j = ic[j]
            _copy_row(m, r, i, i, x, j, i)
            m = m - 1
        ij = j
        if l >= p:
            for _m in range(p, l + 1):
                icj = ic[j]
                ic[j] = -k
                j = icj
        ic[ij] = n + l
        x[k, pp1] = 0.0
        if l >= 2:
            x[k, pp1] = trcij
            x[ic[k], pp1] = _vvvtij(l, p, r, sj, trcij, alpha, beta)


def _cost_pair(x, ic, n, p, i, j, tgt, v, alpha, beta, ablog):
    """The cost of merging groups i < j computed afresh, into the factor ``tgt`` (mclust's
    first pass and block 600). Returns (cost, trace, term, term_i, term_j, n_ij, n_i,
    n_j, s_i, s_j)."""
    pp1 = p + 1
    tgt[:, :] = 0.0
    ici = ic[i]
    icj = ic[j]
    ni = 1
    nj = 1
    if icj == 1 and ici == 1:
        nij = 2
        si = _RTHALF
        sj = _RTHALF
        for t in range(1, p + 1):
            v[t] = x[i, t] + (-1.0) * x[j, t]
        for t in range(1, p + 1):
            v[t] = _RTHALF * v[t]
        trcij = _ddot(p, v, v)
        for t in range(1, p + 1):
            tgt[1, t] = v[t]
        trmij = 2.0 * math.log(beta * (trcij + alpha) / 2.0)
        return trmij - (ablog + ablog), trcij, trmij, ablog, ablog, nij, ni, nj, si, sj
    if icj == 1:
        termj = ablog
        ni = _read_rows(x, ic, n, p, ici, tgt)
        traci = x[i, pp1]
        termi = x[ic[i], pp1]
        nij = ni + 1
        qij = 1.0 / float(nij)
        si = math.sqrt(float(ni) * qij)
        sj = math.sqrt(qij)
        sij = sj
        _axpy_pair(x, i, j, sj, si, v, p)
        trcij = traci + _ddot(p, v, v)
    else:
        nj = _read_rows(x, ic, n, p, icj, tgt)
        tracj = x[j, pp1]
        termj = x[ic[j], pp1]
        rj = float(nj)
        if ici == 1:
            nij = nj + 1
            qij = 1.0 / float(nij)
            si = math.sqrt(qij)
            sj = math.sqrt(rj * qij)
            sij = math.sqrt(qij)
            _axpy_pair(x, i, j, sj, si, v, p)
            trcij = tracj + _ddot(p, v, v)
            termi = ablog
        else:
            ni = _rotate_rows(x, ic, n, p, ici, tgt, v, nj + 1, 0)
            traci = x[i, pp1]
            termi = x[ic[i], pp1]
            nij = ni + nj
            qij = 1.0 / float(nij)
            si = math.sqrt(float(ni) * qij)
            sj = math.sqrt(rj * qij)
            sij = math.sqrt(qij)
            _axpy_pair(x, i, j, sj, si, v, p)
            trcij = (traci + tracj) + _ddot(p, v, v)
    _mclrup(nij, p, v, tgt, 1, 1)
    trmij = _vvvtij(nij, p, tgt, sij, trcij, alpha, beta)
    return trmij - (termi + termj), trcij, trmij, termi, termj, nij, ni, nj, si, sj


def _cost_with_new(x, ic, n, p, j, iold, r, u, v, ni, traci, termi, alpha, beta, ablog):
    """The cost of merging group j with the group just formed at ``iold`` (factor ``r``,
    ``ni`` rows), into ``u`` (mclust's loops after a merge). Returns (cost, trace, term,
    n_ij, n_j, s_new, s_j)."""
    pp1 = p + 1
    u[:, :] = 0.0
    _copy_factor(min(ni - 1, p), p, r, u)
    ri = float(ni)
    icj = ic[j]
    if icj == 1:
        nj = 1
        nij = ni + 1
        qij = 1.0 / float(nij)
        si = math.sqrt(ri * qij)
        sj = math.sqrt(qij)
        sij = sj
        _axpy_pair(x, j, iold, si, sj, v, p)
        trcij = traci + _ddot(p, v, v)
        termj = ablog
    else:
        nj = _rotate_rows(x, ic, n, p, icj, u, v, ni + 1, 1)
        tracj = x[j, pp1]
        termj = x[ic[j], pp1]
        nij = ni + nj
        qij = 1.0 / float(nij)
        si = math.sqrt(ri * qij)
        sj = math.sqrt(float(nj) * qij)
        sij = math.sqrt(qij)
        _axpy_pair(x, j, iold, si, sj, v, p)
        trcij = (traci + tracj) + _ddot(p, v, v)
    _mclrup(nij, p, v, u, 1, 1)
    trmij = _vvvtij(nij, p, u, sij, trcij, alpha, beta)
    return trmij - (termi + termj), trcij, trmij, nij, nj, si, sj


def _keep(opt, dij, trcij, trmij, nij, ni, nj, si, sj, i, j):
    """The best merge so far: (cost, trace, term, n, n_i, n_j, s_i, s_j, i, j)."""
    opt[0] = dij
    opt[1] = trcij
    opt[2] = trmij
    opt[3] = nij
    opt[4] = ni
    opt[5] = nj
    opt[6] = si
    opt[7] = sj
    opt[8] = i
    opt[9] = j


def _first_pass(x, ic, n, p, ng, d, u, r, v, alpha, beta, ablog, opt):
    """The costs of all pairs of starting groups and the smallest (the last on ties)."""
    dopt = _FLMAX
    ij = 0
    for j in range(2, ng + 1):
        for i in range(1, j):
            dij, trcij, trmij, _ti, _tj, nij, ni, nj, si, sj = _cost_pair(
                x, ic, n, p, i, j, u, v, alpha, beta, ablog)
            ij = ij + 1
            d[ij] = dij
            if dij <= dopt:
                dopt = dij
                _keep(opt, dij, trcij, trmij, nij, ni, nj, si, sj, i, j)
                _copy_factor(min(nij - 1, p), p, u, r)


def _merge(x, ic, n, p, lg, d, r, v, opt):
    """Merge groups iopt < jopt into iopt; group lg moves to jopt (block 200)."""
    pp1 = p + 1
    iopt = int(opt[8])
    jopt = int(opt[9])
    niop = int(opt[4])
    nopt = int(opt[3])
    for t in range(1, p + 1):
        v[t] = opt[6] * x[iopt, t]
    for t in range(1, p + 1):
        v[t] = v[t] + opt[7] * x[jopt, t]
    if jopt != lg:
        _wardsw(jopt, lg, d)
        for t in range(1, p + 1):
            x[jopt, t] = x[lg, t]
        m = ic[jopt]
        icj = ic[lg]
        if icj != 1:
            x[jopt, pp1] = x[lg, pp1]
        ic[jopt] = icj
        ic[lg] = m
    if niop == 1:
        ic[iopt] = lg
    else:
        l = ic[iopt]
        m = l
        for _k in range(1, min(niop - 1, p) + 1):
            m = l
            l = ic[l]
        ic[m] = lg
    l = ic[iopt]
    m = l
    for _k in range(1, min(nopt - 1, p) + 1):
        _copy_row(p, r, 1, 1, x, l, 1)  # (mclust stores the factor's first row each time)
        m = l
        l = ic[l]
    ic[m] = nopt + n
    x[iopt, pp1] = 0.0
    if nopt >= 2:
        x[iopt, pp1] = opt[1]
        x[ic[iopt], pp1] = opt[2]
    for t in range(1, p + 1):
        x[iopt, t] = v[t]


def _update_pass(x, ic, n, p, lg, iold, d, r, u, s, v, alpha, beta, ablog, opt):
    """The costs of the new group (at iold) with every other; the best of them."""
    ni = int(opt[3])
    traci = opt[1]
    termi = opt[2]
    dopt = _FLMAX
    ij = ((iold - 1) * (iold - 2)) // 2
    for j in range(1, iold):
        dij, trcij, trmij, nij, nj, si, sj = _cost_with_new(
            x, ic, n, p, j, iold, r, u, v, ni, traci, termi, alpha, beta, ablog)
        ij = ij + 1
        d[ij] = dij
        if dij <= dopt:
            dopt = dij
            _keep(opt, dij, trcij, trmij, nij, nj, ni, sj, si, j, iold)
            _copy_factor(min(nij - 1, p), p, u, s)
    if iold < lg:
        i = iold
        ij = ij + i
        for j in range(iold + 1, lg + 1):
            dij, trcij, trmij, nij, nj, si, sj = _cost_with_new(
                x, ic, n, p, j, iold, r, u, v, ni, traci, termi, alpha, beta, ablog)
            d[ij] = dij
            ij = ij + i
            i = j
            if dij <= dopt:
                dopt = dij
                _keep(opt, dij, trcij, trmij, nij, ni, nj, si, sj, iold, j)
                _copy_factor(min(nij - 1, p), p, u, s)


def _smallest(d, ld):
    """The last smallest entry of the packed table d(1..ld), as (i, j, cost)."""
    ij = 1
    dopt = d[1]
    for i in range(2, ld + 1):
        if d[i] <= dopt:
            ij = i
            dopt = d[i]
    iopt = 1
    jopt = 2
    for _i in range(2, ij + 1):
        iopt = iopt + 1
        if iopt >= jopt:
            jopt = jopt + 1
            iopt = 1
    return iopt, jopt, dopt


def _chain_size(ic, n, l):
    if l == 1:
        return 1
    while l <= n:
        l = ic[l]
    return l - n


def _next_best(x, ic, n, p, lg, ld, iold, d, r, s, v, alpha, beta, ablog, opt):
    """Find the next merge and set up its factor in ``r`` (block 600)."""
    iopt, jopt, dopt = _smallest(d, ld)
    r[:, :] = 0.0
    if iopt != iold and jopt != iold:
        _dij, trcij, _trm, termi, termj, nij, ni, nj, si, sj = _cost_pair(
            x, ic, n, p, iopt, jopt, r, v, alpha, beta, ablog)
        _keep(opt, dopt, trcij, dopt + (termi + termj), nij, ni, nj, si, sj, iopt, jopt)
    else:
        _copy_factor(min(int(opt[3]) - 1, p), p, s, r)
        niop = _chain_size(ic, n, ic[iopt])
        njop = _chain_size(ic, n, ic[jopt])
        opt[0] = dopt
        opt[3] = niop + njop
        opt[4] = niop
        opt[5] = njop
        opt[8] = iopt
        opt[9] = jopt


def _pairs_out(d, ic, ng, ns, nd, pairs, costs):
    """The merges as group numbers (block 900 after the last merge is recorded)."""
    for i in range(1, ng + 1):
        ic[i] = i
    lo = nd - 1
    ld = lo
    si = d[lo]
    lo = lo - 1
    sj = d[lo]
    ic[int(sj)] = ng
    pairs[0, 0] = int(min(si, sj))
    pairs[0, 1] = int(max(si, sj))
    lg = ng + 1
    for k in range(2, ns + 1):
        lo = lo - 1
        d[ld] = d[lo]
        ld = ld - 1
        lo = lo - 1
        i = int(d[lo])
        ici = ic[i]
        lo = lo - 1
        j = int(d[lo])
        icj = ic[j]
        if ici > icj:
            ic[i] = icj
        ic[j] = ic[lg - k]
        pairs[k - 1, 0] = min(ici, icj)
        pairs[k - 1, 1] = max(ici, icj)
    ld = nd
    lo = 1
    for _k in range(1, ns + 1):
        tmp = d[lo]
        d[lo] = d[ld]
        d[ld] = tmp
        ld = ld - 1
        lo = lo + 1
    for k in range(ns):
        costs[k] = d[k + 1]


def hcvvv(x, ic, n, p, ng, ns, alpha, beta, nd):
    """mclust's ``hcvvv`` (see :func:`_hcvvv`), compiled on first use."""
    _compile()
    return _hcvvv(x, ic, n, p, ng, ns, alpha, beta, nd)


def _hcvvv(x, ic, n, p, ng, ns, alpha, beta, nd):
    """mclust 6.0.0's ``hcvvv`` (1-based arrays: row and column 0 unused). x: (n+1, p+2),
    the data and a zero column p+1; ic: (n+1,) the starting groups 1..ng, numbered in
    order of first appearance. Returns the merges (ns, 2) and their costs (ns,)."""
    v = np.zeros(p + 1)
    u = np.zeros((p + 1, p + 1))
    s = np.zeros((p + 1, p + 1))
    r = np.zeros((p + 1, p + 1))
    d = np.zeros(nd + 1)
    opt = np.zeros(10)  # the best merge: see _keep
    pairs = np.zeros((ns, 2), dtype=np.int64)
    costs = np.zeros(ns)
    alpha = max(alpha, _EPSMAX)
    ablog = math.log(beta * alpha)
    _heads_first(x, ic, n, p, ng)
    _simulate_groups(x, ic, n, p, ng, r, v, alpha, beta)
    _first_pass(x, ic, n, p, ng, d, u, r, v, alpha, beta, ablog, opt)
    if ns == 1:
        pairs[0, 0] = int(min(opt[8], opt[9]))
        pairs[0, 1] = int(max(opt[8], opt[9]))
        costs[0] = opt[0]
        return pairs, costs
    lg = ng
    ld = (ng * (ng - 1)) // 2
    lo = nd
    ls = 1
    while True:
        _merge(x, ic, n, p, lg, d, r, v, opt)
        d[lo] = opt[0]
        d[lo - 1] = opt[8]
        d[lo - 2] = opt[9]
        lo = lo - 3
        lg = lg - 1
        ld = ld - lg
        iold = int(opt[8])
        _update_pass(x, ic, n, p, lg, iold, d, r, u, s, v, alpha, beta, ablog, opt)
        if lg == 2:
            opt[0] = d[1]
            opt[8] = 1
            opt[9] = 2
            break
        _next_best(x, ic, n, p, lg, ld, iold, d, r, s, v, alpha, beta, ablog, opt)
        ls = ls + 1
        if ls == ns:
            break
    d[lo] = opt[0]
    d[lo - 1] = opt[8]
    d[lo - 2] = opt[9]
    _pairs_out(d, ic, ng, ns, nd, pairs, costs)
    return pairs, costs
