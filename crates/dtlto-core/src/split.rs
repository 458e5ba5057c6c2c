//! Splitting one module's backend into parts that run on separate cores.
//!
//! ThinLTO's parallelism stops at the number of modules: an amalgamation or
//! a unity build leaves one backend running on one core. dtlto splits such
//! a module after the ThinLTO simplification pipeline (inlining has seen
//! the whole module): its definitions are partitioned into `K` parts, and
//! every part runs the rest of the optimization pipeline and code
//! generation on its own, with the other parts' definitions as
//! declarations.
//!
//! This file holds the decisions, pure and deterministic: how many parts a
//! module gets (from the thin link's cost estimate, never from the job
//! count, so objects are the same at any `-j`), and which definition goes to
//! which part. `dtlto-llvm` reads the graph from the IR and applies them.

/// Splitting starts at this estimated size (instructions after import) by
/// default: one to three seconds of backend on one core here. A module that
/// size holds a relink on one core: a program's biggest modules (its `main`
/// or shell TU) import from many others, so nearly every edit rebuilds them
/// while the rest of the relink is cached (sqlite3's `shell.c`: 3.4 s of a
/// 3.5 s one-file relink). Below it, splitting buys little: a part's fixed
/// cost (reading the module's declarations) nears its share of the work.
pub const DEFAULT_THRESHOLD: u64 = 30_000;

/// More parts than this cost more in per-part overhead (every part reads
/// the module's declarations and debug-info skeleton) than they gain.
pub const MAX_PARTS: u32 = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SplitConfig {
    /// Modules estimated above this many instructions are split into
    /// `ceil(cost / threshold)` parts; `None` never splits (`--no-split`).
    pub threshold: Option<u64>,
}

impl Default for SplitConfig {
    fn default() -> Self {
        SplitConfig {
            threshold: Some(DEFAULT_THRESHOLD),
        }
    }
}

impl SplitConfig {
    /// How many parts a module of this estimated cost gets.
    pub fn parts_for(&self, cost: u64) -> u32 {
        match self.threshold {
            Some(t) if t > 0 && cost > t => cost.div_ceil(t).min(MAX_PARTS as u64) as u32,
            _ => 1,
        }
    }
}

/// One global value of the module being split, in the module's order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Node {
    /// Instructions (functions); variables and aliases count nothing.
    pub size: u64,
    /// A definition this module emits (declarations are in no part).
    pub defined: bool,
    /// Local linkage: referenced from another part, it must be promoted.
    pub local: bool,
    /// Appending linkage (`llvm.used`, `llvm.global_ctors`): every part
    /// keeps the entries for its own definitions.
    pub appending: bool,
    /// A local constant whose address is never compared: copied into every
    /// part that uses it rather than promoted (when it refers to nothing).
    pub duplicable: bool,
    /// Comdat: every member of a comdat goes to the same part.
    pub comdat: Option<u32>,
    /// Globals this one's body or initializer refers to (node indices).
    pub refs: Vec<u32>,
    /// Globals that must share this one's part: an alias's aliasee, the
    /// functions whose block addresses it takes.
    pub joins: Vec<u32>,
}

/// Which part each node goes to: `Some(part)` for definitions, `None` for
/// declarations, appending arrays and the constants every part copies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partition {
    pub parts: u32,
    pub owner: Vec<Option<u32>>,
}

/// Whether a node goes to one part: definitions, except appending arrays
/// and copyable constants, which every part has.
fn is_placed(node: &Node) -> bool {
    node.defined && !node.appending && !(node.duplicable && node.refs.is_empty())
}

struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
        }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let up = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = up;
            x = up;
        }
        x
    }

    /// The smaller index stays the root, so results do not depend on the
    /// order of unions.
    fn union(&mut self, a: u32, b: u32) -> u32 {
        let (a, b) = (self.find(a), self.find(b));
        let (root, child) = if a <= b { (a, b) } else { (b, a) };
        self.parent[child as usize] = root;
        root
    }
}

/// Partitions a module's definitions into `parts` parts of balanced size,
/// keeping together what must stay together and, within that, local
/// helpers with their only user (no promotion, and the optimizer keeps
/// seeing them as local).
pub fn partition(nodes: &[Node], parts: u32) -> Partition {
    let parts = parts.max(1);
    let n = nodes.len();
    let placed = |i: usize| is_placed(&nodes[i]);
    let mut uf = UnionFind::new(n);
    let mut comdat_first: std::collections::BTreeMap<u32, u32> = Default::default();
    for (i, node) in nodes.iter().enumerate() {
        if !placed(i) {
            continue;
        }
        for &j in &node.joins {
            if placed(j as usize) {
                uf.union(i as u32, j);
            }
        }
        if let Some(c) = node.comdat {
            let first = *comdat_first.entry(c).or_insert(i as u32);
            uf.union(first, i as u32);
        }
    }
    let total: u64 = (0..n).filter(|&i| placed(i)).map(|i| nodes[i].size).sum();
    let cap = total.div_ceil(parts as u64).max(1);
    let mut size = vec![0u64; n];
    for (i, node) in nodes.iter().enumerate() {
        if placed(i) {
            let r = uf.find(i as u32) as usize;
            size[r] += node.size;
        }
    }
    // Who refers to each node (appending globals do not count: their
    // entries follow the definitions).
    let mut users: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (i, node) in nodes.iter().enumerate() {
        if placed(i) {
            for &j in &node.refs {
                if (j as usize) < n && j as usize != i {
                    users[j as usize].push(i as u32);
                }
            }
        }
    }
    for i in 0..n {
        if !placed(i) || !nodes[i].local {
            continue;
        }
        let own = uf.find(i as u32);
        let mut user_roots: Vec<u32> = users[i].iter().map(|&u| uf.find(u)).collect();
        user_roots.sort_unstable();
        user_roots.dedup();
        user_roots.retain(|&r| r != own);
        if let [user] = user_roots[..] {
            let combined = size[own as usize] + size[user as usize];
            if combined <= cap {
                let root = uf.union(own, user);
                size[root as usize] = combined;
            }
        }
    }
    // Clusters, biggest first (ties in module order), each onto the part
    // with the least so far (ties to the lowest part).
    let mut clusters: Vec<(u64, u32)> = (0..n)
        .filter(|&i| placed(i) && uf.find(i as u32) == i as u32)
        .map(|i| (size[i], i as u32))
        .collect();
    clusters.sort_by_key(|&(s, i)| (std::cmp::Reverse(s), i));
    let mut load = vec![0u64; parts as usize];
    let mut part_of_root = vec![u32::MAX; n];
    for (s, root) in clusters {
        let p = (0..parts as usize)
            .min_by_key(|&p| (load[p], p))
            .unwrap_or(0);
        load[p] += s;
        part_of_root[root as usize] = p as u32;
    }
    let owner = (0..n)
        .map(|i| placed(i).then(|| part_of_root[uf.find(i as u32) as usize]))
        .collect();
    Partition { parts, owner }
}

impl Partition {
    /// Nodes referred to from a part other than their own: locals among
    /// them must be promoted, discardable ones kept.
    pub fn referenced_across(&self, nodes: &[Node]) -> Vec<bool> {
        let mut across = vec![false; nodes.len()];
        for (i, node) in nodes.iter().enumerate() {
            let Some(p) = self.owner[i] else { continue };
            for &j in &node.refs {
                if let Some(Some(q)) = self.owner.get(j as usize) {
                    if *q != p {
                        across[j as usize] = true;
                    }
                }
            }
        }
        across
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The summed size of each part.
    fn loads(p: &Partition, nodes: &[Node]) -> Vec<u64> {
        let mut load = vec![0; p.parts as usize];
        for (i, o) in p.owner.iter().enumerate() {
            if let Some(part) = o {
                load[*part as usize] += nodes[i].size;
            }
        }
        load
    }

    fn function(size: u64, refs: &[u32]) -> Node {
        Node {
            size,
            defined: true,
            refs: refs.to_vec(),
            ..Node::default()
        }
    }

    #[test]
    fn parts_come_from_the_cost_alone() {
        let c = SplitConfig::default();
        assert_eq!(c.parts_for(DEFAULT_THRESHOLD), 1);
        assert_eq!(c.parts_for(DEFAULT_THRESHOLD + 1), 2);
        assert_eq!(c.parts_for(324_092), 11);
        assert_eq!(c.parts_for(u64::MAX / 2), MAX_PARTS);
        let off = SplitConfig { threshold: None };
        assert_eq!(off.parts_for(10_000_000), 1);
    }

    #[test]
    fn sizes_are_balanced_and_declarations_are_nowhere() {
        let mut nodes: Vec<Node> = [50, 40, 30, 20, 10, 10].map(|s| function(s, &[])).to_vec();
        nodes.push(Node::default()); // a declaration
        let p = partition(&nodes, 2);
        assert_eq!(loads(&p, &nodes), vec![80, 80]);
        assert_eq!(p.owner[6], None);
        // The same input, the same answer.
        assert_eq!(partition(&nodes, 2), p);
    }

    #[test]
    fn comdats_aliases_and_block_addresses_stay_together() {
        let mut nodes: Vec<Node> = (0..6).map(|_| function(10, &[])).collect();
        nodes[0].comdat = Some(7);
        nodes[3].comdat = Some(7);
        nodes[1].joins = vec![4]; // an alias of 4
        nodes[2].joins = vec![5]; // takes a block address in 5
        let p = partition(&nodes, 3);
        assert_eq!(p.owner[0], p.owner[3]);
        assert_eq!(p.owner[1], p.owner[4]);
        assert_eq!(p.owner[2], p.owner[5]);
        let mut used: Vec<_> = p.owner.iter().flatten().collect();
        used.sort();
        used.dedup();
        assert_eq!(used.len(), 3);
    }

    #[test]
    fn a_local_helper_stays_with_its_only_user() {
        // 0 and 1 are big entry points; 2 is a static helper of 1 only, 3
        // a static used by both.
        let mut nodes = vec![
            function(100, &[3]),
            function(90, &[2, 3]),
            function(10, &[]),
            function(5, &[]),
        ];
        nodes[2].local = true;
        nodes[3].local = true;
        let p = partition(&nodes, 2);
        assert_eq!(p.owner[1], p.owner[2]);
        assert_ne!(p.owner[0], p.owner[1]);
        let across = p.referenced_across(&nodes);
        assert_eq!(across, vec![false, false, false, true]);
    }

    #[test]
    fn constants_without_references_are_copied_not_promoted() {
        let string = Node {
            defined: true,
            local: true,
            duplicable: true,
            ..Node::default()
        };
        let mut table = string.clone();
        table.refs = vec![0];
        let nodes = vec![function(50, &[2, 3]), function(50, &[2, 3]), string, table];
        let p = partition(&nodes, 2);
        assert_ne!(p.owner[0], p.owner[1]);
        assert_eq!(p.owner[2], None);
        assert!(p.owner[3].is_some());
        assert_eq!(p.referenced_across(&nodes), vec![false, false, false, true]);
    }

    #[test]
    fn appending_globals_belong_to_every_part() {
        let mut nodes = vec![function(10, &[]), function(10, &[])];
        nodes.push(Node {
            defined: true,
            appending: true,
            refs: vec![0, 1],
            ..Node::default()
        });
        let p = partition(&nodes, 2);
        assert_eq!(p.owner[2], None);
        assert_eq!(p.referenced_across(&nodes), vec![false, false, false]);
    }
}
