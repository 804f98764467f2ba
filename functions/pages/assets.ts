// The pages' stylesheet and script, sent inline under the response's CSP nonce (no other script or
// style runs). The script only improves: every form works without it.
export const STYLE = `
:root{--fg:#1d2430;--muted:#5b6473;--line:#dde2ea;--bg:#f5f7fa;--card:#fff;--accent:#1a5fd0;--ok:#17773c;--warn:#9a5b00;--bad:#b3261e;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
body{margin:0;line-height:1.5}
header.top{background:#fff;border-bottom:1px solid var(--line)}
header.top .wrap{display:flex;align-items:center;justify-content:space-between;gap:1rem;padding:.75rem 1.25rem}
header.top .brand{font-weight:650;font-size:1.05rem}
header.top .who{color:var(--muted);font-size:.9rem;display:flex;align-items:center;gap:.75rem}
.wrap{max-width:58rem;margin:0 auto;padding:1.25rem}
h1{font-size:1.5rem;margin:.25rem 0 1rem}
h2{font-size:1.1rem;margin:0 0 .75rem}
h3{font-size:1rem;margin:1rem 0 .5rem}
fieldset.pick{border:1px solid var(--line);border-radius:.4rem;margin:0;padding:.5rem .75rem}
fieldset.pick legend{font-weight:600;padding:0 .25rem}
.check label{font-weight:normal}
section.card{background:var(--card);border:1px solid var(--line);border-radius:.6rem;padding:1.1rem 1.25rem;margin:0 0 1rem}
.state{border-left:.35rem solid var(--muted)}
.state.ok{border-left-color:var(--ok)}.state.warn{border-left-color:var(--warn)}.state.bad{border-left-color:var(--bad)}
.state p.headline{font-size:1.1rem;font-weight:600;margin:0 0 .25rem}
.state p{margin:.25rem 0}
.muted{color:var(--muted)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(17rem,1fr));gap:.75rem 1rem}
label{display:block;font-weight:550;margin:0 0 .2rem}
input[type=text],input[type=search],input[type=number],select{width:100%;box-sizing:border-box;padding:.45rem .55rem;border:1px solid #b8c0cc;border-radius:.4rem;font:inherit;background:#fff}
.check{display:flex;align-items:center;gap:.5rem;font-weight:550}
button,.button{display:inline-block;padding:.5rem .95rem;border-radius:.4rem;border:1px solid var(--accent);background:var(--accent);color:#fff;font:inherit;font-weight:550;cursor:pointer;text-decoration:none}
button.secondary,.button.secondary{background:#fff;color:var(--accent)}
button.danger,.button.danger{background:#fff;color:var(--bad);border-color:var(--bad)}
button.link{background:none;border:none;color:var(--accent);padding:0;text-decoration:underline}
button:focus-visible,a:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid #f2b705;outline-offset:2px}
.actions{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center;margin-top:.75rem}
.actions form{margin:0}
table{border-collapse:collapse;width:100%;font-size:.93rem}
th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:1rem;font-size:.82rem;font-weight:600;background:#e8ebf0}
.badge.ok{background:#dff3e6;color:var(--ok)}.badge.warn{background:#fdf0d5;color:var(--warn)}.badge.bad{background:#fbe0de;color:var(--bad)}
.progress{padding:.6rem .8rem;background:#eef4ff;border-radius:.4rem;margin-top:.75rem}
.notice{padding:.6rem .8rem;border-radius:.4rem;background:#eef4ff;margin:0 0 1rem}
.notice.bad{background:#fbe0de}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
ul.plain{list-style:none;padding:0;margin:0}
ul.plain li{padding:.5rem 0;border-bottom:1px solid var(--line)}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;

export const SCRIPT = `
(function(){
  document.querySelectorAll('time[datetime]').forEach(function(t){
    var d=new Date(t.getAttribute('datetime'));
    if(!isNaN(d)) t.textContent=d.toLocaleString();
  });
  var filter=document.getElementById('folder-filter');
  var select=document.getElementById('crmGroupId');
  if(filter&&select){
    filter.addEventListener('input',function(){
      var q=filter.value.trim().toLowerCase();
      Array.prototype.forEach.call(select.options,function(o){
        o.hidden=q!==''&&o.text.toLowerCase().indexOf(q)<0&&!o.selected;
      });
    });
  }
  var waiting=document.getElementById('preview-waiting');
  if(waiting){
    var wurl=waiting.getAttribute('data-poll');
    var wtries=0;
    var wpoll=function(){
      wtries++;
      fetch(wurl,{headers:{accept:'application/json'},credentials:'same-origin'}).then(function(r){
        return r.ok?r.json():null;
      }).then(function(b){
        if(b&&b.state&&b.state!=='queued'){ location.reload(); return; }
        if(wtries<600) setTimeout(wpoll,1000);
      }).catch(function(){ if(wtries<600) setTimeout(wpoll,2000); });
    };
    setTimeout(wpoll,500);
  }
  var progress=document.getElementById('progress');
  if(progress){
    var url=progress.getAttribute('data-poll');
    var done=progress.getAttribute('data-done');
    var text=document.getElementById('progress-text');
    var tries=0;
    var poll=function(){
      tries++;
      fetch(url,{headers:{accept:'application/json'},credentials:'same-origin'}).then(function(r){
        return r.ok?r.json():null;
      }).then(function(b){
        if(b&&b.text) text.textContent=b.text;
        if(b&&b.state==='finished'){ location.replace(done); return; }
        if(tries<600) setTimeout(poll,1000);
      }).catch(function(){ if(tries<600) setTimeout(poll,2000); });
    };
    setTimeout(poll,500);
  }
})();
`;
