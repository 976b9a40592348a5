# Table 3: teacher temperature gamma_T = 0.1, student gamma_S = 0.1.
_base_ = ['../r2plus1d_k100.py']
model = dict(head=dict(temp_teacher=0.1, temp_student=0.1))
